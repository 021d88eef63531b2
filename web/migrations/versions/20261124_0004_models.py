"""Retraining: model versions with their artifacts, the evaluation set, retrain runs

Revision ID: 0004_models
Revises: 0003_merge
Created: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_models"
down_revision = "0003_merge"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("metrics", JSON, nullable=True),
        sa.Column("verdict", JSON, nullable=True),
        sa.Column("counts", JSON, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_path", sa.String(1000), nullable=True),
        sa.CheckConstraint(
            "status IN ('candidate', 'serving', 'retired', 'refused')",
            name=op.f("ck_model_versions_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_model_versions_version")),
    )
    with op.batch_alter_table("model_versions") as batch:
        batch.create_index(
            "uq_model_versions_serving",
            ["status"],
            unique=True,
            sqlite_where=sa.text("status = 'serving'"),
            postgresql_where=sa.text("status = 'serving'"),
        )
    op.create_table(
        "eval_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("labels", JSON, nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_eval_examples_decision_id_decisions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_examples")),
    )
    op.create_table(
        "retrain_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(100), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("log", sa.Text(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("version", sa.String(100), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'promoted', 'not_promoted', 'failed')",
            name=op.f("ck_retrain_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retrain_runs")),
    )


def downgrade():
    op.drop_table("retrain_runs")
    op.drop_table("eval_examples")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_index("uq_model_versions_serving")
    op.drop_table("model_versions")
