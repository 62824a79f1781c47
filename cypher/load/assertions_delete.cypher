// Drop references this source no longer makes.
UNWIND $assertion_eids AS assertion_eid
MATCH ()-[a:ASSERTED_IN]->() WHERE elementId(a) = assertion_eid
DELETE a
