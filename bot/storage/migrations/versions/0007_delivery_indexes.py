"""indexes of the delivery path: status callbacks by provider id, pending outbox rows by
conversation

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index("ix_messages_channel_message_id", "messages", ["channel_message_id"])
    op.create_index(
        "ix_outbox_pending_by_conversation",
        "outbox",
        ["conversation_id", "id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_pending_by_conversation", table_name="outbox")
    op.drop_index("ix_messages_channel_message_id", table_name="messages")
