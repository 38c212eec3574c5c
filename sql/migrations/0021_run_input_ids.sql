-- A run's people by the id their import gave them (participants.external_id, 0023), beside
-- their names, so a person without a name is shown by that id, never by a database id.
-- Columns are added at the end: `create or replace view` keeps the existing ones as they are.

create or replace view public.run_groups with (security_invoker = true) as
select
  g.run_id,
  g.id as group_id,
  g.group_number,
  g.size,
  g.score,
  g.kosher,
  g.age_band,
  g.age_min,
  g.age_max,
  g.diets,
  g.allergy_summary,
  members.names as member_names,
  members.ids as member_ids,
  members.input_ids as member_input_ids
from public.groups as g
cross join lateral (
  select
    array_agg(p.full_name order by p.full_name, p.id) as names,
    array_agg(p.id order by p.full_name, p.id) as ids,
    array_agg(p.external_id order by p.full_name, p.id) as input_ids
  from public.group_members as m
  join public.participants as p on p.id = m.participant_id
  where m.group_id = g.id
) as members;

create or replace view public.run_unassigned with (security_invoker = true) as
select
  u.run_id,
  u.participant_id,
  p.full_name,
  u.reason,
  u.details,
  p.external_id as input_id
from public.unassigned_queue as u
join public.participants as p on p.id = u.participant_id;
