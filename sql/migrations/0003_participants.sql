-- Participants of the event: who can be grouped. `responses` holds the raw survey
-- answers (diet, kosher, allergies), which only admins and the person themself
-- may read.

create table public.participants (
  id uuid primary key default gen_random_uuid(),
  -- The signed-in account of this person, when they have one.
  user_id uuid unique references auth.users (id) on delete set null,
  full_name text check (full_name is null or length(btrim(full_name)) between 1 and 200),
  age integer check (age between 0 and 130),
  birth_date date check (birth_date >= date '1900-01-01'),
  responses jsonb not null default '{}'::jsonb check (jsonb_typeof(responses) = 'object'),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on column public.participants.responses is
  'Raw survey answers as submitted; read by the engine leniently (spec/grouping.md).';

create index participants_active on public.participants (active) where active;

create trigger participants_touch_updated_at
  before update on public.participants
  for each row execute function public.touch_updated_at();

alter table public.participants enable row level security;
revoke all on table public.participants from anon;

-- A linked participant reads their own row, answers included; admins read all.
create policy participants_select on public.participants
  for select to authenticated
  using ((select public.is_admin()) or user_id = (select auth.uid()));
create policy participants_admin_insert on public.participants
  for insert to authenticated with check ((select public.is_admin()));
create policy participants_admin_update on public.participants
  for update to authenticated
  using ((select public.is_admin())) with check ((select public.is_admin()));
create policy participants_admin_delete on public.participants
  for delete to authenticated using ((select public.is_admin()));
