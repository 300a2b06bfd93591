"""constraints on accounts: unique login, score check, team foreign key

Revision ID: batch_05
Revises: batch_04
Create Date: 2026-02-05 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "batch_05"
down_revision = "batch_04"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.create_unique_constraint("uq_accounts_login", ["login"])
        batch_op.create_check_constraint("ck_accounts_score_positive", "score >= 0")
        batch_op.create_foreign_key("fk_accounts_team_id_teams", "teams", ["team_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_accounts_team_id", ["team_id"])


def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_index("ix_accounts_team_id")
        batch_op.drop_constraint("fk_accounts_team_id_teams", type_="foreignkey")
        batch_op.drop_constraint("ck_accounts_score_positive", type_="check")
        batch_op.drop_constraint("uq_accounts_login", type_="unique")
