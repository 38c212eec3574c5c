-- The rules of a run's groups that the database can judge, held for every writer (issue
-- 15, item 3): the API checks every rule of an edit before edit_run_groups, but an admin
-- can call the RPC from a browser with any groups, so what the database knows it checks.
--
-- 1. A group keeps its pool. The engine never groups across pools (in a kosher-only run,
--    the kosher and the not kosher; in a banded run, one age band), and a saved group's
--    kosher and age_band are its pool's. In such a run neither may change, and a person
--    moves only between groups of one pool, so everyone stays in their own.
-- 2. Apart pairs (event_apart_pairs): no group of an event's run holds both people of a
--    pair, once an edit moves someone. (Runs are saved by the engine, which already keeps
--    the pairs; and a pair marked after a run does not make its saved groups refusable.)
--
-- What it cannot judge stays with the API: the severe-allergen limit (allergies are
-- sealed; the database never sees them in clear), the age values behind a loose run's
-- penalty, and together requests (a preference, reported when unmet).
--
--   GR014  a group's pool changed, or an edit put two pools or an apart pair together  (409)

-- The run's options say which pools it has.
create function private.run_pools_by(options jsonb) returns text[]
language sql immutable
set search_path = ''
as $$
  select array_remove(array[
    case when coalesce((run_pools_by.options ->> 'kosher_only')::boolean, false)
      then 'kosher' end,
    case when run_pools_by.options ->> 'age_policy' = 'banded' then 'age_band' end
  ], null)
$$;

-- The triggers run as the writer: edit_run_groups' owner, or the service role (signed-in
-- callers cannot update groups or group_members at all, since 0029).
revoke all on function private.run_pools_by(jsonb) from public, anon, authenticated;
grant execute on function private.run_pools_by(jsonb) to service_role;

create function private.keep_group_pool() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  pools text[];
begin
  select private.run_pools_by(r.options) into pools from public.runs as r
    where r.id = new.run_id;
  if ('kosher' = any (pools) and new.kosher is distinct from old.kosher)
    or ('age_band' = any (pools) and new.age_band is distinct from old.age_band)
  then
    raise exception 'a group of this run keeps its kosher pool and age band'
      using errcode = 'GR014';
  end if;
  return new;
end
$$;

-- Per statement: the people an update moved, each into a group of their old group's
-- pool, and no moved person's new group holding an apart pair of the run's event.
create function private.check_moves_keep_pools_and_pairs() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1
    from old_rows as o
    join changed_rows as n on n.run_id = o.run_id and n.participant_id = o.participant_id
    join public.runs as r on r.id = n.run_id
    join public.groups as was on was.id = o.group_id
    join public.groups as now_in on now_in.id = n.group_id
    where n.group_id <> o.group_id
      and (('kosher' = any (private.run_pools_by(r.options))
          and was.kosher is distinct from now_in.kosher)
        or ('age_band' = any (private.run_pools_by(r.options))
          and was.age_band is distinct from now_in.age_band))
    limit 1;
  if found then
    raise exception 'a person moves only between groups of one kosher pool and age band'
      using errcode = 'GR014';
  end if;
  perform 1
    from (
      select distinct n.run_id, n.group_id
      from old_rows as o
      join changed_rows as n on n.run_id = o.run_id and n.participant_id = o.participant_id
      where n.group_id <> o.group_id
    ) as moved
    join public.runs as r on r.id = moved.run_id
    join public.group_members as a on a.group_id = moved.group_id
    join public.group_members as b on b.group_id = moved.group_id
    join public.event_apart_pairs as p
      on p.event_id = r.event_id
      and p.first_participant_id = a.participant_id
      and p.second_participant_id = b.participant_id
    limit 1;
  if found then
    raise exception 'two people marked to keep apart would share a group'
      using errcode = 'GR014';
  end if;
  return null;
end
$$;

revoke all on function private.keep_group_pool(), private.check_moves_keep_pools_and_pairs()
  from public, anon, authenticated, service_role;

create trigger groups_keep_their_pool
  before update of kosher, age_band on public.groups
  for each row execute function private.keep_group_pool();
-- (Every update: PostgreSQL takes no column list on a trigger with transition tables.)
create trigger group_members_moves_checked
  after update on public.group_members
  referencing old table as old_rows new table as changed_rows
  for each statement execute function private.check_moves_keep_pools_and_pairs();
