"""add users.bio and posts.published_at

Revision ID: basic_03
Revises: basic_02
Create Date: 2026-01-07 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "basic_03"
down_revision = "basic_02"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("bio", sa.Text(), nullable=True))
    op.add_column("posts", sa.Column("published_at", sa.DateTime(), nullable=True))
    op.add_column("posts", sa.Column("views", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade():
    # SQLite >= 3.35 drops a column that no index or constraint names without batch mode.
    op.drop_column("posts", "views")
    op.drop_column("posts", "published_at")
    op.drop_column("users", "bio")
