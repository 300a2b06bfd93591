"""index posts.published_at, replace ix_users_name with a unique index on (name, email)

Revision ID: basic_04
Revises: basic_03
Create Date: 2026-01-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "basic_04"
down_revision = "basic_03"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_posts_published_at", "posts", ["published_at"])
    op.drop_index("ix_users_name", table_name="users")
    op.create_index(op.f("ix_users_name_email"), "users", ["name", "email"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_users_name_email"), table_name="users")
    op.create_index("ix_users_name", "users", ["name"], unique=False)
    op.drop_index("ix_posts_published_at", table_name="posts")
