-- Views the Lovable dashboards read. All security_invoker: the caller's RLS
-- applies, so they show admins everything and everyone else nothing.

create view public.run_history with (security_invoker = true) as
select
  r.id as run_id,
  r.run_number,
  r.created_at,
  r.status,
  r.policy_id,
  p.name as policy_name,
  r.trigger_source,
  r.triggered_by,
  r.started_at,
  r.finished_at,
  (extract(epoch from r.finished_at - r.started_at) * 1000)::bigint as duration_ms,
  r.participant_count,
  r.assigned_count,
  r.unassigned_count,
  r.group_count,
  case when jsonb_typeof(r.diagnostics #> '{scores,mean}') = 'number'
    then (r.diagnostics #>> '{scores,mean}')::double precision end as mean_score,
  case when jsonb_typeof(r.diagnostics #> '{scores,min}') = 'number'
    then (r.diagnostics #>> '{scores,min}')::double precision end as min_score,
  case when jsonb_typeof(r.diagnostics #> '{counts,unassigned_by_reason}') = 'object'
    then r.diagnostics #> '{counts,unassigned_by_reason}' end as unassigned_by_reason,
  r.engine_version,
  r.error
from public.runs as r
join public.grouping_policies as p on p.id = r.policy_id;

create view public.run_groups with (security_invoker = true) as
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
  members.ids as member_ids
from public.groups as g
cross join lateral (
  select
    array_agg(p.full_name order by p.full_name, p.id) as names,
    array_agg(p.id order by p.full_name, p.id) as ids
  from public.group_members as m
  join public.participants as p on p.id = m.participant_id
  where m.group_id = g.id
) as members;

create view public.run_unassigned with (security_invoker = true) as
select
  u.run_id,
  u.participant_id,
  p.full_name,
  u.reason,
  u.details
from public.unassigned_queue as u
join public.participants as p on p.id = u.participant_id;

-- A linked participant's own group in the latest successful run that included
-- them: the group's number, size, kosher and age band, and its members' names.
-- Definer rights are needed to read other members' rows, so only names leave
-- this function: never responses, allergies or ids of others.
create or replace function public.my_group_members()
returns table (
  run_id uuid,
  group_number integer,
  group_size integer,
  kosher boolean,
  age_band text,
  full_name text,
  is_me boolean
)
language sql stable
security definer
set search_path = ''
as $$
  with me as (
    select p.id from public.participants as p where p.user_id = (select auth.uid())
  ),
  latest_run as (
    select r.id as run_id
    from public.runs as r
    where r.status = 'succeeded'
      and (
        exists (
          select 1 from public.group_members as m
          where m.run_id = r.id and m.participant_id = (select id from me)
        )
        or exists (
          select 1 from public.unassigned_queue as u
          where u.run_id = r.id and u.participant_id = (select id from me)
        )
      )
    order by r.run_number desc
    limit 1
  )
  select g.run_id, g.group_number, g.size, g.kosher, g.age_band, p.full_name,
    p.id = (select id from me)
  from latest_run as l
  join public.group_members as mine
    on mine.run_id = l.run_id and mine.participant_id = (select id from me)
  join public.groups as g on g.id = mine.group_id
  join public.group_members as m on m.group_id = g.id
  join public.participants as p on p.id = m.participant_id
  order by p.full_name, p.id
$$;

revoke all on function public.my_group_members() from public, anon, service_role;
grant execute on function public.my_group_members() to authenticated;

create view public.my_group with (security_invoker = true) as
select run_id, group_number, group_size, kosher, age_band, full_name, is_me
from public.my_group_members();

revoke all on table public.run_history, public.run_groups, public.run_unassigned,
  public.my_group from anon;
revoke insert, update, delete, truncate, references, trigger
  on table public.run_history, public.run_groups, public.run_unassigned, public.my_group
  from authenticated, service_role;
