"""drop users.signup_source (reviewed)

Revision ID: 0005
Revises: 0004
Create Date: 2026-05-30 11:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column(
        "users",
        "signup_source",  # noqa: MRT201 copied to analytics.signups in 0004, reviewed 2026-05-29
    )


def downgrade() -> None:
    op.add_column("users", sa.Column("signup_source", sa.String(20)))
