"""rename accounts.username to login

Revision ID: batch_04
Revises: batch_03
Create Date: 2026-02-04 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "batch_04"
down_revision = "batch_03"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("username", new_column_name="login", existing_type=sa.String(length=50), existing_nullable=False)


def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("login", new_column_name="username", existing_type=sa.String(length=50), existing_nullable=False)
