-- RPCs that change a ward's assignments as a whole: ward_bulk_update and
-- ward_restore_assignments. Each runs in the caller's transaction (one PostgREST
-- call, one transaction): it is written completely or not at all.
--
-- Refusals carry their own SQLSTATE, so callers never read message text. DETAIL
-- is a JSON object naming what was refused; the HTTP status is the API's mapping.
--   42501  the caller is not an admin or leader of the ward            -> 403
--   P0002  the ward or the audit entry does not exist {"audit_id"?}   -> 404
--   WB001  a user_hash is not on the ward's roster  {"user_hash"}       -> 422
--   WB002  a group is not one of A-D             {"user_hash","group"} -> 422
--   WB003  a household would be split             {"household_id"}    -> 422
--   WB004  the ward changed since p_expected_version {"current_version"} -> 409
--   WB005  the payload is malformed or names a member twice {"user_hash"?} -> 422
--   WB006  (trigger, 0012) an assignment may not change ward or user_hash -> 422
--
-- p_assignments is the seed's request shape: a json array of
--   {"userHash": text, "newGroup": "A".."D", "householdId": text or null}.
-- Households, for the split check, are the members' explicit household ids: the
-- roster's household_id wins, then the request's householdId, then the one stored
-- with the assignment; a member with none of them is a household of their own.
-- After the change every household must be in a single group, where members not
-- in the request keep their stored group and a member with no stored group counts
-- as "no group": so a household is never half assigned. The API sends households
-- as it derived them from the roster (spec: names, address, phone).

-- Refuses (42501, P0002, WB004) unless the caller manages the ward and the ward is
-- still at p_expected_version; locks the ward's version row until the transaction
-- ends, so concurrent bulk updates of one ward run one after the other.
create function public.ward_lock_assignments(p_ward_branch_id uuid, p_expected_version bigint)
returns void
language plpgsql
set search_path = ''
as $$
declare
  current_version bigint;
begin
  if coalesce(public.ward_role(p_ward_branch_id), '') not in ('admin', 'leader') then
    raise exception 'only the ward''s admins and leaders may change its assignments'
      using errcode = '42501';
  end if;
  select v.version into current_version
  from public.ward_assignment_versions v
  where v.ward_branch_id = p_ward_branch_id
  for update;
  if not found then
    raise exception 'unknown ward' using errcode = 'P0002';
  end if;
  if p_expected_version is distinct from current_version then
    raise exception 'the ward''s assignments changed since the version read'
      using errcode = 'WB004',
            detail = jsonb_build_object('current_version', current_version)::text;
  end if;
end
$$;

-- Refuses (WB005, WB001, WB002) a payload that is not a list of roster members
-- with groups A-D, each named once; null groups only when p_allow_clear.
create function public.ward_check_assignments(
  p_ward_branch_id uuid, p_assignments jsonb, p_allow_clear boolean
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  offender text;
  offending_group text;
begin
  if jsonb_typeof(p_assignments) is distinct from 'array' then
    raise exception 'assignments must be a json array' using errcode = 'WB005';
  end if;
  if exists (
    select from jsonb_array_elements(p_assignments) e(item)
    where jsonb_typeof(e.item) <> 'object'
      or jsonb_typeof(e.item -> 'userHash') is distinct from 'string'
      or coalesce(jsonb_typeof(e.item -> 'newGroup'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(e.item -> 'householdId'), 'null') not in ('string', 'null')
  ) then
    raise exception 'each assignment is {userHash, newGroup, householdId}'
      using errcode = 'WB005';
  end if;

  select r."userHash" into offender
  from jsonb_to_recordset(p_assignments) r("userHash" text)
  group by r."userHash" having count(*) > 1
  order by r."userHash" limit 1;
  if found then
    raise exception 'member % is named twice', offender
      using errcode = 'WB005', detail = jsonb_build_object('user_hash', offender)::text;
  end if;

  select r."userHash" into offender
  from jsonb_to_recordset(p_assignments) r("userHash" text)
  where not exists (
    select from public.ward_members m
    where m.ward_branch_id = p_ward_branch_id and m.user_hash = r."userHash"
  )
  order by r."userHash" limit 1;
  if found then
    raise exception 'member % is not on the ward''s roster', offender
      using errcode = 'WB001', detail = jsonb_build_object('user_hash', offender)::text;
  end if;

  select r."userHash", r."newGroup" into offender, offending_group
  from jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text)
  where r."newGroup" not in ('A', 'B', 'C', 'D')
    or (r."newGroup" is null and not p_allow_clear)
  order by r."userHash" limit 1;
  if found then
    raise exception 'group of member % must be one of A, B, C, D', offender
      using errcode = 'WB002',
            detail = jsonb_build_object('user_hash', offender, 'group', offending_group)::text;
  end if;
end
$$;

-- Refuses (WB003) when the ward's assignments after applying p_assignments would
-- put one household in more than one group (see the household rule above).
create function public.ward_check_households(p_ward_branch_id uuid, p_assignments jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  split_household text;
begin
  select f.household into split_household
  from (
    select
      coalesce(m.household_id, nullif(r."householdId", ''), g.household_id) as household,
      case when r."userHash" is null then g.assigned_group else r."newGroup" end as final_group
    from public.ward_members m
    left join jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text,
                                                  "householdId" text)
      on r."userHash" = m.user_hash
    left join public.ward_member_groups g
      on g.ward_branch_id = m.ward_branch_id and g.user_hash = m.user_hash
    where m.ward_branch_id = p_ward_branch_id
  ) f
  where f.household is not null
  group by f.household
  having min(coalesce(f.final_group, '-')) <> max(coalesce(f.final_group, '-'))
  order by f.household limit 1;
  if found then
    raise exception 'household % would be split across groups', split_household
      using errcode = 'WB003', detail = jsonb_build_object('household_id', split_household)::text;
  end if;
end
$$;

-- Checks, then writes only what changes: members whose group or household differ
-- are updated, members without an assignment get one, and members given a null
-- group (restore only) lose theirs.
-- The assignment keeps the household the request named (else the one it had), as
-- the seed stored it; the roster's own household_id stays on the roster.
-- The triggers of 0012 stamp assigned_by, move the version and write the audit.
create function public.ward_apply_assignments(
  p_ward_branch_id uuid, p_assignments jsonb, p_allow_clear boolean
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform public.ward_check_assignments(p_ward_branch_id, p_assignments, p_allow_clear);
  perform public.ward_check_households(p_ward_branch_id, p_assignments);

  delete from public.ward_member_groups g
  using jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text)
  where g.ward_branch_id = p_ward_branch_id
    and g.user_hash = r."userHash"
    and r."newGroup" is null;

  update public.ward_member_groups g
  set assigned_group = r."newGroup",
      household_id = coalesce(nullif(r."householdId", ''), g.household_id)
  from jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text, "householdId" text)
  where g.ward_branch_id = p_ward_branch_id
    and g.user_hash = r."userHash"
    and r."newGroup" is not null
    and (g.assigned_group, g.household_id)
      is distinct from (r."newGroup", coalesce(nullif(r."householdId", ''), g.household_id));

  insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group, household_id)
  select p_ward_branch_id, r."userHash", r."newGroup", nullif(r."householdId", '')
  from jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text, "householdId" text)
  where r."newGroup" is not null
    and not exists (
      select from public.ward_member_groups g
      where g.ward_branch_id = p_ward_branch_id and g.user_hash = r."userHash"
    )
  order by r."userHash";
end
$$;

-- ward_apply_assignments as one audited batch: the audit rows share a batch id and
-- name the restored entry, if any. Only a restore may clear assignments (a member
-- who had none before). Returns the ward's version afterwards.
create function public.ward_apply_batch(
  p_ward_branch_id uuid, p_assignments jsonb, p_restored_from bigint
)
returns bigint
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('ward.batch_id', gen_random_uuid()::text, true);
  perform set_config('ward.restored_from', coalesce(p_restored_from::text, ''), true);
  perform public.ward_apply_assignments(
    p_ward_branch_id, p_assignments, p_restored_from is not null
  );
  perform set_config('ward.batch_id', '', true);
  perform set_config('ward.restored_from', '', true);
  return (
    select v.version from public.ward_assignment_versions v
    where v.ward_branch_id = p_ward_branch_id
  );
end
$$;

-- Sets the ward's assignments of the members named in p_assignments, all or
-- nothing, when the ward is still at p_expected_version; returns the new version
-- (unchanged when nothing differed).
create function public.ward_bulk_update(
  p_ward_branch_id uuid, p_assignments jsonb, p_expected_version bigint
)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
begin
  perform public.ward_lock_assignments(p_ward_branch_id, p_expected_version);
  return public.ward_apply_batch(p_ward_branch_id, p_assignments, null);
end
$$;

-- Puts the ward's assignments back as they were before the batch that audit entry
-- p_audit_id belongs to (every later change of the ward is undone too), under the
-- same checks as a bulk update. Members since removed from the roster are left
-- out. The restore is itself audited, with restored_from = the batch's first entry.
create function public.ward_restore_assignments(
  p_ward_branch_id uuid, p_audit_id bigint, p_expected_version bigint
)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  first_entry bigint;
  earlier_state jsonb;
begin
  perform public.ward_lock_assignments(p_ward_branch_id, p_expected_version);
  select min(a.id) into first_entry
  from public.audit_log a
  join public.audit_log entry on entry.batch_id = a.batch_id
  where entry.id = p_audit_id and entry.ward_branch_id = p_ward_branch_id
    and a.ward_branch_id = p_ward_branch_id;
  if first_entry is null then
    raise exception 'unknown audit entry'
      using errcode = 'P0002', detail = jsonb_build_object('audit_id', p_audit_id)::text;
  end if;

  -- A member's state before first_entry is the "old" side of their first change since.
  select coalesce(jsonb_agg(jsonb_build_object(
           'userHash', t.user_hash, 'newGroup', t.old_group, 'householdId', t.old_household_id
         )), '[]'::jsonb)
    into earlier_state
  from (
    select distinct on (a.user_hash) a.user_hash, a.old_group, a.old_household_id
    from public.audit_log a
    join public.ward_members m
      on m.ward_branch_id = a.ward_branch_id and m.user_hash = a.user_hash
    where a.ward_branch_id = p_ward_branch_id and a.id >= first_entry
    order by a.user_hash, a.id
  ) t;

  return public.ward_apply_batch(p_ward_branch_id, earlier_state, first_entry);
end
$$;

revoke execute on function public.ward_lock_assignments(uuid, bigint),
  public.ward_check_assignments(uuid, jsonb, boolean),
  public.ward_check_households(uuid, jsonb),
  public.ward_apply_assignments(uuid, jsonb, boolean),
  public.ward_apply_batch(uuid, jsonb, bigint)
  from public, anon, authenticated, service_role;
revoke execute on function public.ward_bulk_update(uuid, jsonb, bigint),
  public.ward_restore_assignments(uuid, bigint, bigint)
  from public, anon;
grant execute on function public.ward_bulk_update(uuid, jsonb, bigint),
  public.ward_restore_assignments(uuid, bigint, bigint)
  to authenticated, service_role;
