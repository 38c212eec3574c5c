-- Saving a run's venue plan in one transaction: the plan replaces the run's previous one
-- (its assignments go with it, by cascade) and every assignment is checked by the
-- venue_assignments trigger (0028). Security invoker: the caller's RLS applies, so only an
-- admin (or the service) can save; a pinned assignment is kept by the next plan.
create function public.save_venue_plan(run_id uuid, plan jsonb, assignments jsonb)
returns void
language plpgsql
security invoker
set search_path = ''
as $$
begin
  if jsonb_typeof(assignments) is distinct from 'array' then
    raise exception 'assignments must be an array' using errcode = '22023';
  end if;
  delete from public.venue_plans as p where p.run_id = save_venue_plan.run_id;
  insert into public.venue_plans (run_id, plan, placed_count, unplaced_count, optimal, created_by)
  values (
    save_venue_plan.run_id,
    plan,
    jsonb_array_length(coalesce(plan -> 'placements', '[]')),
    jsonb_array_length(coalesce(plan -> 'unplaced', '[]')),
    coalesce((plan ->> 'optimal')::boolean, false),
    (select auth.uid())
  );
  insert into public.venue_assignments (run_id, group_id, venue_id, pinned)
  select save_venue_plan.run_id, (a ->> 'group_id')::uuid, (a ->> 'venue_id')::uuid,
    coalesce((a ->> 'pinned')::boolean, false)
  from jsonb_array_elements(assignments) as a;
end
$$;

revoke all on function public.save_venue_plan(uuid, jsonb, jsonb) from public, anon;
grant execute on function public.save_venue_plan(uuid, jsonb, jsonb) to authenticated, service_role;

-- A member sees where their group eats: the venue of their group in their latest run
-- (the group my_group shows, found by private.my_group_members), with its name, area and
-- kosher flag, and nothing else of the venue (capacities, prices and kitchen lists stay
-- the organisers'). Security definer: members cannot read venues or assignments.
create function private.my_group_venue()
returns table (run_id uuid, group_number integer, venue_name text, area text, kosher boolean)
language sql stable
security definer
set search_path = ''
as $$
  select g.run_id, g.group_number, v.name, v.area, v.kosher
  from (select distinct m.run_id, m.group_number from private.my_group_members() as m) as mine
  join public.groups as g on g.run_id = mine.run_id and g.group_number = mine.group_number
  join public.venue_assignments as a on a.run_id = g.run_id and a.group_id = g.id
  join public.venues as v on v.id = a.venue_id
  where (select auth.uid()) is not null
$$;

revoke all on function private.my_group_venue() from public, anon, service_role;
grant execute on function private.my_group_venue() to authenticated;

create view public.my_group_venue with (security_invoker = true) as
select run_id, group_number, venue_name, area, kosher
from private.my_group_venue();

revoke all on table public.my_group_venue from anon;
revoke insert, update, delete, truncate, references, trigger
  on table public.my_group_venue from authenticated, service_role;

-- The venue of each group of a run, for the run's report (admins, by the tables' RLS).
create view public.run_group_venues with (security_invoker = true) as
select g.run_id, g.group_number, v.name as venue_name
from public.venue_assignments as a
join public.groups as g on g.id = a.group_id
join public.venues as v on v.id = a.venue_id;

revoke all on table public.run_group_venues from anon;
revoke insert, update, delete, truncate, references, trigger
  on table public.run_group_venues from authenticated, service_role;
