"""accounts.email no longer unique; teams.name gets a default

Revision ID: batch_06
Revises: batch_05
Create Date: 2026-02-06 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "batch_06"
down_revision = "batch_05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_constraint("uq_accounts_email", type_="unique")
    with op.batch_alter_table("teams") as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=80), existing_nullable=False, server_default=sa.text("'unnamed'"))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_column("created_at")
        batch_op.alter_column("name", existing_type=sa.String(length=80), existing_nullable=False, server_default=None)
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.create_unique_constraint("uq_accounts_email", ["email"])
