-- A run's diagnostics follow its groups (issue 15, item 3: "scores recomputed"): after a
-- manual edit, an undo or redo, or any writer's change of a saved run's groups, the parts
-- of runs.diagnostics that the groups decide are worked out again from the groups' rows,
-- in the same statement, so a dashboard never shows the mean of groups that are gone.
--
-- What the groups decide (the spec's "Diagnostics"): counts.groups and group_sizes;
-- scores (mean = the total of size * score over the people assigned, min, max, total, the
-- ten-bin histogram of group scores); allergies.groups_with_allergies and
-- mean_allergens_per_group (from each group's allergy_summary: allergens and severities,
-- no names); ages.mean_spread and max_spread (from age_min and age_max); kosher.groups.
-- The rest (participants, the unassigned, per-person breakdowns, the engine's own facts)
-- is about people, whom an edit never adds or removes, and is kept as saved.

create function private.group_diagnostics(run_id uuid) returns jsonb
language sql stable
set search_path = ''
as $$
  with g as (
    select g.size, g.score, g.kosher, g.age_min, g.age_max,
      (select count(*) from jsonb_object_keys(
        coalesce(g.allergy_summary -> 'allergens', '{}'::jsonb))) as allergens
    from public.groups as g where g.run_id = group_diagnostics.run_id
  ),
  totals as (
    select count(*) as groups, coalesce(sum(g.size), 0) as assigned,
      coalesce(sum(g.size * g.score), 0) as total
    from g
  ),
  bins as (
    select k, (select count(*) from g where least(floor(g.score * 10)::integer, 9) = k) as n
    from generate_series(0, 9) as k
  )
  select jsonb_build_object(
    'counts', jsonb_build_object(
      'groups', t.groups,
      'group_sizes', coalesce((
        select jsonb_object_agg(s.size::text, s.n)
        from (select g.size, count(*) as n from g group by g.size) as s), '{}'::jsonb)),
    'scores', jsonb_build_object(
      'mean', case when t.assigned > 0 then t.total / t.assigned else 0.0 end,
      'min', coalesce((select min(g.score) from g), 0.0),
      'max', coalesce((select max(g.score) from g), 0.0),
      'total', t.total,
      'histogram', (
        select jsonb_agg(jsonb_build_object(
          'low', b.k::double precision / 10, 'high', (b.k + 1)::double precision / 10,
          'groups', b.n) order by b.k)
        from bins as b)),
    'allergies', jsonb_build_object(
      'groups_with_allergies', (select count(*) from g where g.allergens > 0),
      'mean_allergens_per_group', case when t.groups > 0
        then (select sum(g.allergens) from g)::double precision / t.groups else 0.0 end),
    'ages', jsonb_build_object(
      'mean_spread', coalesce((select avg(g.age_max - g.age_min)::double precision
        from g where g.age_min is not null and g.age_max is not null), 0.0),
      'max_spread', coalesce((select max(g.age_max - g.age_min)
        from g where g.age_min is not null and g.age_max is not null), 0)),
    'kosher', jsonb_build_object('groups', (select count(*) from g where g.kosher)))
  from totals as t
$$;

-- The saved diagnostics with each section's group-decided keys replaced.
create function private.with_group_diagnostics(saved jsonb, run_id uuid) returns jsonb
language sql stable
set search_path = ''
as $$
  select coalesce(with_group_diagnostics.saved, '{}'::jsonb) || (
    select jsonb_object_agg(
      section.key,
      coalesce(with_group_diagnostics.saved -> section.key, '{}'::jsonb) || section.value)
    from jsonb_each(private.group_diagnostics(with_group_diagnostics.run_id)) as section)
$$;

-- The triggers run as the writer (edit_run_groups' owner, or the service role).
revoke all on function private.group_diagnostics(uuid), private.with_group_diagnostics(jsonb, uuid)
  from public, anon, authenticated;
grant execute on function private.group_diagnostics(uuid),
  private.with_group_diagnostics(jsonb, uuid) to service_role;

create function private.refresh_run_diagnostics() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.runs as r
    set diagnostics = private.with_group_diagnostics(r.diagnostics, r.id)
    where r.id in (select distinct c.run_id from changed_rows as c);
  return null;
end
$$;

revoke all on function private.refresh_run_diagnostics()
  from public, anon, authenticated, service_role;

-- Per statement: an edit's one update of its groups refreshes its run once.
create trigger groups_refresh_run_diagnostics
  after update on public.groups
  referencing new table as changed_rows
  for each statement execute function private.refresh_run_diagnostics();
