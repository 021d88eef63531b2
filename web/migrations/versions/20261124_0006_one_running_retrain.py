"""At most one retrain run is running: a partial unique index, as for the serving model.

Revision ID: 0006_one_running_retrain
Revises: 0005_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_one_running_retrain"
down_revision = "0005_merge"
branch_labels = None
depends_on = None


def upgrade():
    # Two runs could be marked running before the index existed: keep the newest.
    op.execute(
        "UPDATE retrain_runs SET status = 'failed' WHERE status = 'running' "
        "AND id < (SELECT MAX(id) FROM retrain_runs WHERE status = 'running')"
    )
    with op.batch_alter_table("retrain_runs") as batch:
        batch.create_index(
            "uq_retrain_runs_running",
            ["status"],
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )


def downgrade():
    with op.batch_alter_table("retrain_runs") as batch:
        batch.drop_index("uq_retrain_runs_running")
