"""Join the admin audit log and the model versions branches of the schema.

Revision ID: 0005_merge
Revises: 0004_admin_audit, 0004_models
"""

revision = "0005_merge"
down_revision = ("0004_admin_audit", "0004_models")
branch_labels = None
depends_on = None


def upgrade():
    """Nothing to change: the two branches touch different tables."""


def downgrade():
    """Nothing to undo."""
