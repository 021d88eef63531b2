"""Join the moderation-queue and scoring-API branches of the schema.

Revision ID: 0003_merge
Revises: 0002_api, 0002_queue
"""

revision = "0003_merge"
down_revision = ("0002_api", "0002_queue")
branch_labels = None
depends_on = None


def upgrade():
    """Nothing to change: both branches' tables are already in place."""


def downgrade():
    """Nothing to undo."""
