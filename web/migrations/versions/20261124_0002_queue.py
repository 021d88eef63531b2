"""Moderation queue: moderators, decisions, timed bans, reports seen, settings, pre-moderation

Revision ID: 0002_queue
Revises: 0001
Created: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_queue"
down_revision = "0001"
branch_labels = None
depends_on = None


JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    with op.batch_alter_table("articles") as batch:
        batch.add_column(
            sa.Column("premoderated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("readers") as batch:
        batch.add_column(sa.Column("banned_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("comments") as batch:
        batch.add_column(
            sa.Column("reports_seen", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_index("ix_comments_reported", ["report_count", "id"])
    op.create_table(
        "moderators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('moderator', 'admin')", name=op.f("ck_moderators_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderators")),
        sa.UniqueConstraint("name", name=op.f("uq_moderators_name")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(32), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("reader_id", sa.Integer(), nullable=True),
        sa.Column("status_before", sa.String(16), nullable=False),
        sa.Column("status_after", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("banned_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("toxicity", sa.Double(), nullable=True),
        sa.Column("categories", JSON, nullable=True),
        sa.Column("model_version", sa.String(100), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "action IN ('approve', 'reject', 'ban', 'unban')", name=op.f("ck_decisions_action")
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["moderators.id"], name=op.f("fk_decisions_moderator_id_moderators")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_decisions_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name=op.f("fk_decisions_reader_id_readers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions") as batch:
        batch.create_index("ix_decisions_comment", ["comment_id", "id"])
        batch.create_index("ix_decisions_moderator", ["moderator_id", "id"])
        batch.create_index("ix_decisions_reader", ["reader_id", "id"])
        batch.create_index("ix_decisions_batch", ["batch"])
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["moderators.id"],
            name=op.f("fk_site_settings_updated_by_moderators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_settings")),
    )


def downgrade():
    op.drop_table("site_settings")
    op.drop_table("decisions")
    op.drop_table("moderators")
    with op.batch_alter_table("comments") as batch:
        batch.drop_index("ix_comments_reported")
        batch.drop_column("reports_seen")
    with op.batch_alter_table("readers") as batch:
        batch.drop_column("banned_until")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("premoderated")
