"""The transmission chain around a case as two SQL functions, so that the generic
executor and the compiled reads answer `Patient.transmissionChain` from one definition:
`chain_nodes(start, depth)` — the cases within `depth` case-to-case links of `start` (each
way, through the contacts that became cases), the contacts listed by or becoming the cases
inside the bound, and the contacts of those contacts (F2), each with its generation, label,
status and area; `chain_edges(start, depth)` — the links between those nodes. Nothing
personal is returned; the reader's scope is applied by the caller.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NODES = """
CREATE FUNCTION chain_nodes(start bigint, depth integer)
RETURNS TABLE (key text, kind text, id bigint, generation integer, label text,
               status text, area_code text)
LANGUAGE sql STABLE AS $$
WITH RECURSIVE walk (case_id, generation, hops) AS (
    SELECT start, 0, 0
  UNION
    SELECT linked.case_id, w.generation + linked.step, w.hops + 1
    FROM walk w
    CROSS JOIN LATERAL (
        -- down: the cases the contacts of this case became
        SELECT c.became_patient_id AS case_id, 1 AS step
        FROM contact_sources s JOIN contacts c ON c.id = s.contact_id
        WHERE s.patient_id = w.case_id AND c.became_patient_id IS NOT NULL
      UNION ALL
        -- up: the cases the contact this case was had been exposed to
        SELECT s.patient_id, -1
        FROM contacts c JOIN contact_sources s ON s.contact_id = c.id
        WHERE c.became_patient_id = w.case_id
    ) linked
    WHERE w.hops < depth
),
cases AS (
    SELECT DISTINCT ON (case_id) case_id, generation, hops
    FROM walk ORDER BY case_id, hops, generation DESC
),
listed AS (
    SELECT s.contact_id, k.generation, k.hops
    FROM cases k JOIN contact_sources s ON s.patient_id = k.case_id
    WHERE k.hops < depth
  UNION ALL
    SELECT c.id, k.generation - 1, k.hops
    FROM cases k JOIN contacts c ON c.became_patient_id = k.case_id
    WHERE k.hops < depth
),
known AS (
    SELECT contact_id, generation, 0 AS pref FROM listed
  UNION ALL
    -- the contact a contact of a contact who became one of these cases came from
    SELECT c.source_contact_id, k.generation - 1, 1
    FROM cases k JOIN contacts c ON c.became_patient_id = k.case_id
    WHERE k.hops < depth AND c.source_contact_id IS NOT NULL
),
first_known AS (
    SELECT DISTINCT ON (contact_id) contact_id, generation
    FROM known ORDER BY contact_id, pref, generation DESC
),
people AS (
    SELECT contact_id, generation, 0 AS pref FROM first_known
  UNION ALL
    -- the contacts these contacts listed (F2)
    SELECT c.id, k.generation, 1
    FROM first_known k JOIN contacts c ON c.source_contact_id = k.contact_id
),
contacts_in AS (
    SELECT DISTINCT ON (contact_id) contact_id, generation
    FROM people ORDER BY contact_id, pref, generation DESC
)
SELECT 'CASE:' || k.case_id, 'CASE', k.case_id, k.generation, p.case_code,
       p.status::text, p.home_commune_code::text
FROM cases k JOIN patients p ON p.id = k.case_id
UNION ALL
SELECT 'CONTACT:' || x.contact_id, 'CONTACT', x.contact_id, x.generation,
       CASE WHEN c.source_contact_id IS NULL THEN 'F1 #' ELSE 'F2 #' END || x.contact_id,
       c.status::text, c.commune_code::text
FROM contacts_in x JOIN contacts c ON c.id = x.contact_id
$$
"""

EDGES = """
CREATE FUNCTION chain_edges(start bigint, depth integer)
RETURNS TABLE (from_key text, to_key text, from_kind text, from_id bigint,
               to_kind text, to_id bigint)
LANGUAGE sql STABLE AS $$
WITH nodes AS MATERIALIZED (SELECT n.kind, n.id FROM chain_nodes(start, depth) n)
SELECT 'CASE:' || s.patient_id, 'CONTACT:' || s.contact_id, 'CASE', s.patient_id,
       'CONTACT', s.contact_id
FROM nodes n JOIN contact_sources s ON s.patient_id = n.id
WHERE n.kind = 'CASE'
  AND s.contact_id IN (SELECT m.id FROM nodes m WHERE m.kind = 'CONTACT')
UNION ALL
SELECT 'CONTACT:' || c.id, 'CASE:' || c.became_patient_id, 'CONTACT', c.id,
       'CASE', c.became_patient_id
FROM nodes n JOIN contacts c ON c.id = n.id
WHERE n.kind = 'CONTACT'
  AND c.became_patient_id IN (SELECT m.id FROM nodes m WHERE m.kind = 'CASE')
UNION ALL
SELECT 'CONTACT:' || c.source_contact_id, 'CONTACT:' || c.id, 'CONTACT',
       c.source_contact_id, 'CONTACT', c.id
FROM nodes n JOIN contacts c ON c.id = n.id
WHERE n.kind = 'CONTACT'
  AND c.source_contact_id IN (SELECT m.id FROM nodes m WHERE m.kind = 'CONTACT')
$$
"""


def upgrade() -> None:
    op.create_index("ix_contacts_became_patient_id", "contacts", ["became_patient_id"])
    op.execute(NODES)
    op.execute(EDGES)


def downgrade() -> None:
    op.execute("DROP FUNCTION chain_edges(bigint, integer)")
    op.execute("DROP FUNCTION chain_nodes(bigint, integer)")
    op.drop_index("ix_contacts_became_patient_id", table_name="contacts")
