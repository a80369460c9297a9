-- Each line's meters as its edge last published them in Energy/Meters (ids, media, units, tree,
-- factors, rollover, tariff, contract; without the totals, which are tag samples
-- meter:<id>/total): any host answers the plant energy report from the database.
CREATE TABLE IF NOT EXISTS line_energy_meters (
  line_key text PRIMARY KEY,
  meters jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
