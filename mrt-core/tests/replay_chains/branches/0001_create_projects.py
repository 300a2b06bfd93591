"""create projects

Revision ID: br_base
Revises:
Create Date: 2026-04-01 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "br_base"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False),
    )


def downgrade():
    op.drop_table("projects")
