"""rename posts to articles

Revision ID: basic_05
Revises: basic_04
Create Date: 2026-01-09 10:00:00
"""
from alembic import op

revision = "basic_05"
down_revision = "basic_04"
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("posts", "articles")


def downgrade():
    op.rename_table("articles", "posts")
