"""drop legacy columns

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-11 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("users", "legacy_email")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("nickname")
    op.create_table_comment("users", "People who log in")


def downgrade() -> None:
    op.drop_table_comment("users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("nickname", sa.String(50)))
    op.add_column("users", sa.Column("legacy_email", sa.String(255)))
