-- Manual edits of a saved run (issue 15, item 3): moves and swaps between its groups,
-- audited, with undo and redo, applied by one RPC.
--
-- 1. run_edits: every edit of a run, numbered per run (seq 1, 2, ...), with its actor and
--    the changed groups before and after (members and scores, never allergy details).
--    The highest seq is the run's edit version: an edit names the version it was made
--    against, and a stale one is refused (GR010). Admins read; nobody writes but
--    edit_run_groups (no grants for authenticated; the service role may only read).
-- 2. groups and group_members of a saved run: no direct update or delete by signed-in
--    callers any more (edit_run_groups writes as the owner). For every writer, triggers
--    keep each group's size equal to its members and within the run's size bounds
--    (options min_group_size..target_group_size), and the run's members equal to its
--    assigned_count, so a member can be neither added, dropped nor doubled, and no group
--    is added to a run whose people are placed (GR011).
-- 3. edit_run_groups(run_id, expected_seq, kind, edit, groups): the one writer. It checks
--    the caller, the version, the people, that the groups are the edit it records, and
--    that an undo or redo is exactly its edit's; the engine's rule checks (kosher, age
--    band, allergies, pairs) run before it, in the API.

create table public.run_edits (
  run_id uuid not null references public.runs (id) on delete cascade,
  seq integer not null check (seq > 0),
  kind text not null check (kind in ('move', 'swap', 'undo', 'redo')),
  -- move: {"participant_id", "to_group"}; swap: {"first", "second"}; undo/redo: {}.
  edit jsonb not null default '{}'::jsonb check (jsonb_typeof(edit) = 'object'),
  -- The edit an undo undoes or a redo redoes.
  target_seq integer,
  -- Group number -> {"members": [ids, sorted], "score", "kosher", "age_band", "age_min",
  -- "age_max", "diets"}, for the groups the edit changed.
  before jsonb not null check (jsonb_typeof(before) = 'object'),
  after jsonb not null check (jsonb_typeof(after) = 'object'),
  -- Who edited: kept when the user is deleted, as an audit must be.
  actor uuid not null,
  created_at timestamptz not null default now(),
  primary key (run_id, seq),
  constraint run_edits_target check ((kind in ('undo', 'redo')) = (target_seq is not null)),
  foreign key (run_id, target_seq) references public.run_edits (run_id, seq)
);

alter table public.run_edits enable row level security;
revoke all on table public.run_edits from anon, authenticated, service_role;
grant select on table public.run_edits to authenticated, service_role;
create policy run_edits_admin_select on public.run_edits for select to authenticated
  using ((select private.is_admin()));

-- 2. The groups of a saved run change only through edit_run_groups.
revoke update, delete, truncate on table public.groups, public.group_members from authenticated;

-- The sizes a run allows its groups: its options' min_group_size to target_group_size
-- (the engine's bounds), 2 to 50 for a run that recorded none.
create function private.group_size_allowed(size integer, options jsonb) returns boolean
language sql immutable
set search_path = ''
as $$
  select group_size_allowed.size
    between coalesce((group_size_allowed.options ->> 'min_group_size')::integer, 2)
    and coalesce((group_size_allowed.options ->> 'target_group_size')::integer, 50)
$$;

-- The triggers run as the writer, who calls this helper.
revoke all on function private.group_size_allowed(integer, jsonb) from public, anon;
grant execute on function private.group_size_allowed(integer, jsonb)
  to authenticated, service_role;

-- Each group of the runs a statement touched: size = its members, within the run's
-- bounds; each run: as many members as it has assigned. Runs already deleted (a cascade)
-- are skipped.
create function private.check_run_groups_of_members() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  run_ids uuid[];
begin
  if tg_op = 'UPDATE' then
    run_ids := array(select c.run_id from changed_rows as c union select o.run_id from old_rows as o);
  else
    run_ids := array(select distinct c.run_id from changed_rows as c);
  end if;
  -- One pass over the runs' members (group_members' key starts with run_id).
  perform 1
    from public.groups as g
    join public.runs as r on r.id = g.run_id
    left join (
      select m.group_id, count(*) as members from public.group_members as m
      where m.run_id = any (run_ids) group by m.group_id
    ) as c on c.group_id = g.id
    where g.run_id = any (run_ids)
      and (
        g.size <> coalesce(c.members, 0)
        or not private.group_size_allowed(g.size, r.options)
      )
    limit 1;
  if found then
    raise exception 'a group''s size is outside the run''s bounds or differs from its members'
      using errcode = 'GR011';
  end if;
  perform 1
    from public.runs as r
    left join (
      select m.run_id, count(*) as members from public.group_members as m
      where m.run_id = any (run_ids) group by m.run_id
    ) as c on c.run_id = r.id
    where r.id = any (run_ids) and r.assigned_count <> coalesce(c.members, 0)
    limit 1;
  if found then
    raise exception 'a run''s members differ from its assigned people' using errcode = 'GR011';
  end if;
  return null;
end
$$;

-- A group's own row, when it changes (checked at commit, after the members it names):
-- its size is its members', within its run's bounds.
create function private.check_run_groups_of_group() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1
    from public.groups as g
    join public.runs as r on r.id = g.run_id
    where g.id = new.id
      and (
        g.size <> (select count(*) from public.group_members as m where m.group_id = g.id)
        or not private.group_size_allowed(g.size, r.options)
      );
  if found then
    raise exception 'a group''s size is outside the run''s bounds or differs from its members'
      using errcode = 'GR011';
  end if;
  return null;
end
$$;

-- New groups go into a run before its members (as the save writes them); a group added to
-- a run that has members already would be one nobody sits in. (Per statement: a save's
-- 1,700 groups cost one check, not 1,700.)
create function private.refuse_groups_of_populated_runs() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1 from public.group_members as m
    where m.run_id in (select c.run_id from changed_rows as c)
    limit 1;
  if found then
    raise exception 'a group cannot be added to a run whose people are placed'
      using errcode = 'GR011';
  end if;
  return null;
end
$$;

revoke all on function private.check_run_groups_of_members(),
  private.check_run_groups_of_group(), private.refuse_groups_of_populated_runs()
  from public, anon, authenticated, service_role;

create trigger group_members_checked_on_insert
  after insert on public.group_members
  referencing new table as changed_rows
  for each statement execute function private.check_run_groups_of_members();
create trigger group_members_checked_on_update
  after update on public.group_members
  referencing old table as old_rows new table as changed_rows
  for each statement execute function private.check_run_groups_of_members();
create trigger group_members_checked_on_delete
  after delete on public.group_members
  referencing old table as changed_rows
  for each statement execute function private.check_run_groups_of_members();
create trigger groups_only_into_empty_runs
  after insert on public.groups
  referencing new table as changed_rows
  for each statement execute function private.refuse_groups_of_populated_runs();
-- A changed group's row is checked at commit, once its members are moved too.
create constraint trigger groups_checked
  after update on public.groups
  deferrable initially deferred
  for each row execute function private.check_run_groups_of_group();

-- 3. The one writer of an edit.
create function private.group_state(g public.groups) returns jsonb
language sql stable
set search_path = ''
as $$
  select jsonb_build_object(
    'members', coalesce((
      select jsonb_agg(m.participant_id order by m.participant_id)
      from public.group_members as m where m.group_id = g.id), '[]'::jsonb),
    'score', g.score, 'kosher', g.kosher, 'age_band', g.age_band,
    'age_min', g.age_min, 'age_max', g.age_max, 'diets', g.diets)
$$;

revoke all on function private.group_state(public.groups)
  from public, anon, authenticated, service_role;


-- Which edit an undo (or a redo) of `run_id` would concern: the top of the stack the
-- log builds (an edit pushes on the undo stack and empties the redo stack; an undo moves
-- its edit to the redo stack, a redo back). Null when there is none.
create function private.run_edit_target(run_id uuid, kind text) returns integer
language plpgsql stable
set search_path = ''
as $$
declare
  entry record;
  undo integer[] := '{}';
  redo integer[] := '{}';
begin
  for entry in
    select e.seq, e.kind, e.target_seq from public.run_edits as e
    where e.run_id = run_edit_target.run_id order by e.seq
  loop
    if entry.kind in ('move', 'swap') then
      undo := undo || entry.seq;
      redo := '{}';
    elsif entry.kind = 'undo' then
      undo := undo[1:cardinality(undo) - 1];
      redo := redo || entry.target_seq;
    else
      redo := redo[1:cardinality(redo) - 1];
      undo := undo || entry.target_seq;
    end if;
  end loop;
  if run_edit_target.kind = 'undo' then
    return undo[cardinality(undo)];
  end if;
  return redo[cardinality(redo)];
end
$$;

revoke all on function private.run_edit_target(uuid, text)
  from public, anon, authenticated, service_role;


create function public.edit_run_groups(
  run_id uuid,
  expected_seq integer,
  kind text,
  edit jsonb,
  groups jsonb
) returns integer
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  run_status text;
  current_seq integer;
  target integer;
  wanted jsonb;
  before_state jsonb;
  after_state jsonb;
  asked_members jsonb;
begin
  if not private.is_admin() or auth.uid() is null then
    raise exception 'only an admin may edit a run' using errcode = '42501';
  end if;
  if edit_run_groups.kind not in ('move', 'swap', 'undo', 'redo')
    or jsonb_typeof(edit_run_groups.edit) is distinct from 'object'
    or jsonb_typeof(edit_run_groups.groups) is distinct from 'array'
    or jsonb_array_length(edit_run_groups.groups) = 0
  then
    raise exception 'kind, edit or groups malformed' using errcode = '22023';
  end if;
  -- One edit of a run at a time: the run's row is locked until the edit commits.
  select r.status into run_status from public.runs as r
    where r.id = edit_run_groups.run_id for update;
  if not found then
    raise exception 'no such run' using errcode = 'P0002';
  end if;
  if run_status <> 'succeeded' then
    raise exception 'a failed run has no groups to edit' using errcode = 'GR013';
  end if;
  select coalesce(max(e.seq), 0) into current_seq from public.run_edits as e
    where e.run_id = edit_run_groups.run_id;
  if edit_run_groups.expected_seq is distinct from current_seq then
    raise exception 'the run was edited since it was read' using errcode = 'GR010';
  end if;

  -- The groups named, as they are and as asked (members sorted); each number once.
  select
    jsonb_object_agg(g.group_number::text, private.group_state(g)),
    jsonb_object_agg(g.group_number::text, (
      select coalesce(jsonb_agg(x.member::uuid order by x.member::uuid), '[]'::jsonb)
      from jsonb_array_elements_text(a.value -> 'members') as x (member)))
  into before_state, asked_members
  from jsonb_array_elements(edit_run_groups.groups) as a
  join public.groups as g
    on g.run_id = edit_run_groups.run_id and g.group_number = (a.value ->> 'number')::integer;
  if before_state is null
    or (select count(*) from jsonb_object_keys(before_state))
      <> jsonb_array_length(edit_run_groups.groups)
    or (select count(distinct a.value ->> 'number')
        from jsonb_array_elements(edit_run_groups.groups) as a)
      <> jsonb_array_length(edit_run_groups.groups)
  then
    raise exception 'name each group of the run once' using errcode = 'GR011';
  end if;
  -- People move only between the groups named: the same people, each once.
  if (select jsonb_agg(p order by p) from jsonb_each(before_state) as b,
        jsonb_array_elements(b.value -> 'members') as p)
    is distinct from
     (select jsonb_agg(p order by p) from jsonb_each(asked_members) as b,
        jsonb_array_elements(b.value) as p)
  then
    raise exception 'an edit moves people between the groups it names only'
      using errcode = 'GR011';
  end if;

  -- A move or swap changes exactly what it says, so the log tells the truth: a move, one
  -- person into `to_group` (nothing, when they are in it); a swap, two people of two
  -- groups trading places (nothing, when they share a group).
  if edit_run_groups.kind in ('move', 'swap') then
    select coalesce(jsonb_object_agg(b.person, jsonb_build_array(b.number, a.number)), '{}')
      into wanted
      from (
        select s.key::integer as number, p.person
        from jsonb_each(before_state) as s,
          jsonb_array_elements_text(s.value -> 'members') as p (person)
      ) as b
      join (
        select s.key::integer as number, p.person
        from jsonb_each(asked_members) as s, jsonb_array_elements_text(s.value) as p (person)
      ) as a on a.person = b.person
      where a.number <> b.number;
    if not coalesce(
      (edit_run_groups.kind = 'move'
        and (((select count(*) from jsonb_object_keys(wanted)) = 1
            and (wanted -> (edit_run_groups.edit ->> 'participant_id') ->> 1)::integer
              = (edit_run_groups.edit ->> 'to_group')::integer)
          -- Into the group they are in: nothing changes.
          or (wanted = '{}'::jsonb
            and before_state -> (edit_run_groups.edit ->> 'to_group') -> 'members'
              ? (edit_run_groups.edit ->> 'participant_id'))))
      or (edit_run_groups.kind = 'swap'
        and (wanted = '{}'::jsonb
          or ((select count(*) from jsonb_object_keys(wanted)) = 2
            and wanted -> (edit_run_groups.edit ->> 'first') -> 0
              = wanted -> (edit_run_groups.edit ->> 'second') -> 1
            and wanted -> (edit_run_groups.edit ->> 'first') -> 1
              = wanted -> (edit_run_groups.edit ->> 'second') -> 0))),
      false
    ) then
      raise exception 'the groups asked are not the edit named' using errcode = 'GR011';
    end if;
    wanted := null;
  end if;
  if edit_run_groups.kind in ('undo', 'redo') then
    target := private.run_edit_target(edit_run_groups.run_id, edit_run_groups.kind);
    if target is null then
      raise exception 'nothing to %', edit_run_groups.kind using errcode = 'GR012';
    end if;
    select case when edit_run_groups.kind = 'undo' then e.before else e.after end
      into wanted from public.run_edits as e
      where e.run_id = edit_run_groups.run_id and e.seq = target;
    -- An undo gives back exactly the state before its edit (a redo the one after it):
    -- the same groups, members and scores.
    if (select jsonb_object_agg(w.key, w.value -> 'members') from jsonb_each(wanted) as w)
      is distinct from asked_members
    then
      raise exception 'an undo or redo restores the groups of its edit exactly'
        using errcode = 'GR011';
    end if;
  end if;

  update public.groups as g
    set size = jsonb_array_length(a.value -> 'members'),
      score = coalesce((wanted -> (a.value ->> 'number') ->> 'score')::double precision,
        (a.value ->> 'score')::double precision),
      kosher = coalesce((wanted -> (a.value ->> 'number') ->> 'kosher')::boolean,
        (a.value ->> 'kosher')::boolean),
      age_band = case when wanted is null then a.value ->> 'age_band'
        else wanted -> (a.value ->> 'number') ->> 'age_band' end,
      age_min = case when wanted is null then (a.value -> 'age_range' ->> 'min')::integer
        else (wanted -> (a.value ->> 'number') ->> 'age_min')::integer end,
      age_max = case when wanted is null then (a.value -> 'age_range' ->> 'max')::integer
        else (wanted -> (a.value ->> 'number') ->> 'age_max')::integer end,
      diets = coalesce(wanted -> (a.value ->> 'number') -> 'diets', a.value -> 'diets', '{}'),
      allergy_summary = coalesce(a.value -> 'allergy_summary', '{}'::jsonb)
    from jsonb_array_elements(edit_run_groups.groups) as a
    where g.run_id = edit_run_groups.run_id and g.group_number = (a.value ->> 'number')::integer;

  update public.group_members as m
    set group_id = g.id
    from jsonb_each(asked_members) as a
    cross join lateral jsonb_array_elements_text(a.value) as p (member)
    join public.groups as g
      on g.run_id = edit_run_groups.run_id and g.group_number = a.key::integer
    where m.run_id = edit_run_groups.run_id
      and m.participant_id = p.member::uuid
      and m.group_id <> g.id;

  select jsonb_object_agg(g.group_number::text, private.group_state(g)) into after_state
    from public.groups as g
    where g.run_id = edit_run_groups.run_id
      and g.group_number::text in (select jsonb_object_keys(asked_members));

  insert into public.run_edits (run_id, seq, kind, edit, target_seq, before, after, actor)
  values (
    edit_run_groups.run_id, current_seq + 1, edit_run_groups.kind,
    case when edit_run_groups.kind in ('undo', 'redo') then '{}'::jsonb
      else edit_run_groups.edit end,
    target, before_state, after_state, auth.uid()
  );
  return current_seq + 1;
end
$$;

revoke all on function public.edit_run_groups(uuid, integer, text, jsonb, jsonb)
  from public, anon;
grant execute on function public.edit_run_groups(uuid, integer, text, jsonb, jsonb)
  to authenticated;
