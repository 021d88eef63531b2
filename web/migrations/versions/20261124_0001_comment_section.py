"""Comment section: readers, articles, comments, votes, reports

Revision ID: 0001
Revises:
Created: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamp(name: str) -> sa.Column:
    """A UTC timestamp column (web.db.UTCDateTime stores into this)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade():
    op.create_table(
        "readers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("nickname", sa.String(40), nullable=True),
        sa.Column("banned", sa.Boolean(), nullable=False),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readers")),
        sa.UniqueConstraint("token", name=op.f("uq_readers_token")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("url", sa.String(1000), nullable=True),
        sa.Column("comments_open", sa.Boolean(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("key", name=op.f("uq_articles_key")),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("nickname", sa.String(40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("ip_hash", sa.String(64), nullable=True),
        timestamp("created_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("hold_reason", sa.String(32), nullable=True),
        sa.Column("toxicity", sa.Double(), nullable=True),
        sa.Column("categories", JSON, nullable=True),
        sa.Column("spans", JSON, nullable=True),
        sa.Column("model_version", sa.String(100), nullable=True),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("downvotes", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('published', 'flagged', 'pending', 'rejected')",
            name=op.f("ck_comments_status"),
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_comments_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["readers.id"], name=op.f("fk_comments_author_id_readers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments") as batch:
        batch.create_index("ix_comments_article_newest", ["article_id", "id"])
        batch.create_index("ix_comments_article_upvotes", ["article_id", "upvotes", "id"])
        batch.create_index("ix_comments_article_downvotes", ["article_id", "downvotes", "id"])
        batch.create_index("ix_comments_status", ["status", "id"])
        batch.create_index("ix_comments_body_hash", ["body_hash", "created_at"])
        batch.create_index("ix_comments_author", ["author_id", "id"])
    for table, extra in (
        ("votes", [sa.Column("value", sa.SmallInteger(), nullable=False)]),
        (
            "reports",
            [
                sa.Column("reason", sa.String(16), nullable=False),
                sa.Column("detail", sa.String(300), nullable=False),
            ],
        ),
    ):
        check = (
            sa.CheckConstraint("value IN (1, -1)", name=op.f("ck_votes_value"))
            if table == "votes"
            else sa.CheckConstraint(
                "reason IN ('abuse', 'hate', 'sexual', 'spam', 'other')",
                name=op.f("ck_reports_reason"),
            )
        )
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("comment_id", sa.Integer(), nullable=False),
            sa.Column("reader_id", sa.Integer(), nullable=False),
            *extra,
            timestamp("created_at"),
            check,
            sa.ForeignKeyConstraint(
                ["comment_id"],
                ["comments.id"],
                name=op.f(f"fk_{table}_comment_id_comments"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["reader_id"],
                ["readers.id"],
                name=op.f(f"fk_{table}_reader_id_readers"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("comment_id", "reader_id", name=f"uq_{table}_comment_reader"),
        )


def downgrade():
    op.drop_table("reports")
    op.drop_table("votes")
    op.drop_table("comments")
    op.drop_table("articles")
    op.drop_table("readers")
