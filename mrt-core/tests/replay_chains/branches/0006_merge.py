"""merge branches a and b

Revision ID: br_merge
Revises: br_a2, br_b2
Create Date: 2026-04-04 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "br_merge"
down_revision = ("br_a2", "br_b2")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
