"""Audit log of admins' changes: settings, articles, accounts, API keys

Revision ID: 0004_admin_audit
Revises: 0003_merge
Created: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_admin_audit"
down_revision = "0003_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "admin_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_admin_events_moderator_id_moderators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_events")),
    )
    with op.batch_alter_table("admin_events") as batch:
        batch.create_index("ix_admin_events_moderator", ["moderator_id", "id"])


def downgrade():
    op.drop_table("admin_events")
