"""The inbox: everything in the twin that needs a person's attention, in one ranked list.

Open drift issues of every type (predicted crossings among them), constraint violations and
what-if runs' findings, each ranked by impact x urgency (`ranking`) with its "because" chain
and evidence (`items`), read with a fixed few statements (`reader`). The flight deck's inbox
page and GraphQL `inbox` show it; acting on an item is `graphtwin.drift.triage` and
`graphtwin.drift.labels`.
"""

from graphtwin.inbox.items import InboxItem, Reach
from graphtwin.inbox.ranking import Impact, Urgency, rank, score
from graphtwin.inbox.reader import read_inbox

__all__ = ["Impact", "InboxItem", "Reach", "Urgency", "rank", "read_inbox", "score"]
