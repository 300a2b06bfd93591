"""nickname NOT NULL, score to NUMERIC, status default pending

Revision ID: batch_03
Revises: batch_02
Create Date: 2026-02-03 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "batch_03"
down_revision = "batch_02"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("nickname", existing_type=sa.String(length=40), nullable=False, server_default="")
        batch_op.alter_column(
            "score",
            existing_type=sa.Integer(),
            type_=sa.Numeric(precision=10, scale=2),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=20),
            existing_nullable=False,
            existing_server_default="active",
            server_default="pending",
        )


def downgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=20),
            existing_nullable=False,
            existing_server_default="pending",
            server_default="active",
        )
        batch_op.alter_column(
            "score",
            existing_type=sa.Numeric(precision=10, scale=2),
            type_=sa.Integer(),
            existing_nullable=True,
        )
        batch_op.alter_column("nickname", existing_type=sa.String(length=40), nullable=True, server_default=None)
