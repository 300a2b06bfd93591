"""add users.signup_source

Revision ID: 0004
Revises: 0003
Create Date: 2026-04-20 16:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("signup_source", sa.String(20)))
