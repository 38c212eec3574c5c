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

-- Refuses (WB003) when the ward's stored assignments put members of one of today's
-- households (p_households: {"<user_hash>": "<household key>"}, as the API derives them
-- from the roster) in more than one group. Members without a stored group follow their
-- household, so only stored members are compared.
create function public.ward_check_stored_households(p_ward_branch_id uuid, p_households jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  split_household text;
begin
  if jsonb_typeof(p_households) is distinct from 'object' then
    raise exception 'the households must be a json object' using errcode = 'WB005';
  end if;
  select h.value into split_household
  from public.ward_member_groups g
  join jsonb_each_text(p_households) h on h.key = g.user_hash
  where g.ward_branch_id = p_ward_branch_id
  group by h.value
  having count(distinct g.assigned_group) > 1
  order by h.value limit 1;
  if found then
    raise exception 'household % would be split across groups', split_household
      using errcode = 'WB003', detail = jsonb_build_object('household_id', split_household)::text;
  end if;
end
$$;

-- A restore (0014) puts back an earlier state exactly. The roster may have joined, since,
-- members that state parts: with today's households (p_households) the restored state is
-- checked against them in the same transaction, and a restore that would split one is
-- refused (WB003) and undone, like a bulk update that would.
alter function public.ward_restore_assignments(uuid, bigint, bigint)
  rename to ward_restore_earlier_state;
revoke execute on function public.ward_restore_earlier_state(uuid, bigint, bigint)
  from public, anon, authenticated, service_role;

create function public.ward_restore_assignments(
  p_ward_branch_id uuid, p_audit_id bigint, p_expected_version bigint,
  p_households jsonb default null
)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  version_after bigint;
begin
  version_after := public.ward_restore_earlier_state(
    p_ward_branch_id, p_audit_id, p_expected_version
  );
  if p_households is not null then
    perform public.ward_check_stored_households(p_ward_branch_id, p_households);
  end if;
  return version_after;
end
$$;

revoke execute on function public.ward_check_stored_households(uuid, jsonb)
  from public, anon, authenticated, service_role;
revoke execute on function public.ward_restore_assignments(uuid, bigint, bigint, jsonb)
  from public, anon;
grant execute on function public.ward_restore_assignments(uuid, bigint, bigint, jsonb)
  to authenticated, service_role;
