-- Households follow the roster (spec/wards.md: households never split).
--
-- A roster sync can join members into one household (a shared address or phone, an
-- explicit household id) while their stored groups differ, or change the household a
-- stored member belongs to. The API works out, from the new roster, the assignments that
-- change: a joined household goes where most of it is stored, and every stored member
-- carries the household key the roster now gives them. It sends them, and the assignment
-- version it read, with the roster; roster and assignments change in one transaction.
--
-- ward_sync_roster(p_ward_branch_id, p_members, p_assignments, p_expected_version):
-- p_members as in 0015; p_assignments as in 0014's bulk update, applied after the
-- roster as one audited batch (its own checks included: WB001-WB003); with assignments
-- the ward must still be at p_expected_version (WB004 otherwise). Returns 0015's counts
-- and {"rejoined": n}, the members whose group changed.

alter function public.ward_sync_roster(uuid, jsonb) rename to ward_replace_roster;
revoke execute on function public.ward_replace_roster(uuid, jsonb)
  from public, anon, authenticated, service_role;

create function public.ward_sync_roster(
  p_ward_branch_id uuid,
  p_members jsonb,
  p_assignments jsonb default '[]'::jsonb,
  p_expected_version bigint default null
)
returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  outcome jsonb;
  rejoined bigint := 0;
begin
  if jsonb_typeof(p_assignments) is distinct from 'array' then
    raise exception 'the assignments must be a json array' using errcode = 'WB005';
  end if;
  if p_expected_version is not null then
    perform public.ward_lock_assignments(p_ward_branch_id, p_expected_version);
  elsif jsonb_array_length(p_assignments) > 0 then
    raise exception 'assignments need the version they were worked out from'
      using errcode = 'WB005';
  end if;
  outcome := public.ward_replace_roster(p_ward_branch_id, p_members);
  if jsonb_array_length(p_assignments) > 0 then
    select count(*) into rejoined
    from jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text)
    join public.ward_member_groups g
      on g.ward_branch_id = p_ward_branch_id and g.user_hash = r."userHash"
    where g.assigned_group is distinct from r."newGroup";
    perform public.ward_apply_batch(p_ward_branch_id, p_assignments, null);
  end if;
  return outcome || jsonb_build_object('rejoined', rejoined);
end
$$;

revoke execute on function public.ward_sync_roster(uuid, jsonb, jsonb, bigint)
  from public, anon;
grant execute on function public.ward_sync_roster(uuid, jsonb, jsonb, bigint)
  to authenticated, service_role;

-- The split check of 0014, with the households the API derives from the roster today
-- (p_households: {"<user_hash>": "<household key>"}) winning over any id stored before;
-- without them (null), exactly 0014's rule.
create function public.ward_check_households_by(
  p_ward_branch_id uuid, p_assignments jsonb, p_households jsonb
)
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
      coalesce(p_households ->> m.user_hash, m.household_id, nullif(r."householdId", ''),
               g.household_id) as household,
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

create or replace function public.ward_check_households(p_ward_branch_id uuid, p_assignments jsonb)
returns void
language sql
set search_path = ''
as $$
  select public.ward_check_households_by(p_ward_branch_id, p_assignments, null)
$$;

-- A restore puts back the groups of an earlier state. The roster may have joined, since,
-- members that state parts: the API sends today's households (p_households), the restore
-- is checked against them, and a restore that would split one is refused (WB003) like
-- any bulk update. Restored assignments carry today's household keys, not old ones.
drop function public.ward_restore_assignments(uuid, bigint, bigint);
create function public.ward_restore_assignments(
  p_ward_branch_id uuid, p_audit_id bigint, p_expected_version bigint,
  p_households jsonb default null
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
  if p_households is not null and jsonb_typeof(p_households) <> 'object' then
    raise exception 'the households must be a json object' using errcode = 'WB005';
  end if;
  select min(a.id) into first_entry
  from public.audit_log a
  join public.audit_log entry on entry.batch_id = a.batch_id
  where entry.id = p_audit_id and entry.ward_branch_id = p_ward_branch_id
    and a.ward_branch_id = p_ward_branch_id;
  if first_entry is null then
    raise exception 'unknown audit entry'
      using errcode = 'P0002', detail = jsonb_build_object('audit_id', p_audit_id)::text;
  end if;

  -- A member's group before first_entry is the "old" side of their first change since.
  select coalesce(jsonb_agg(jsonb_build_object(
           'userHash', t.user_hash, 'newGroup', t.old_group,
           'householdId', coalesce(p_households ->> t.user_hash, g.household_id,
                                   t.old_household_id)
         )), '[]'::jsonb)
    into earlier_state
  from (
    select distinct on (a.user_hash) a.user_hash, a.old_group, a.old_household_id
    from public.audit_log a
    join public.ward_members m
      on m.ward_branch_id = a.ward_branch_id and m.user_hash = a.user_hash
    where a.ward_branch_id = p_ward_branch_id and a.id >= first_entry
    order by a.user_hash, a.id
  ) t
  left join public.ward_member_groups g
    on g.ward_branch_id = p_ward_branch_id and g.user_hash = t.user_hash;

  perform public.ward_check_households_by(p_ward_branch_id, earlier_state, p_households);
  return public.ward_apply_batch(p_ward_branch_id, earlier_state, first_entry);
end
$$;

revoke execute on function public.ward_check_households_by(uuid, jsonb, jsonb)
  from public, anon, authenticated, service_role;
revoke execute on function public.ward_restore_assignments(uuid, bigint, bigint, jsonb)
  from public, anon;
grant execute on function public.ward_restore_assignments(uuid, bigint, bigint, jsonb)
  to authenticated, service_role;
