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
