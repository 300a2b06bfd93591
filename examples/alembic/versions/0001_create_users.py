"""create users

Revision ID: 0001
Revises:
Create Date: 2026-01-05 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("legacy_email", sa.String(255)),
        sa.Column("nickname", sa.String(50)),
    )


def downgrade() -> None:
    op.drop_table("users")
