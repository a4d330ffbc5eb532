// Independent-client search test: fhir-kit-client runs searches and follows the server's paging links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'fhir-kit-client';

const baseUrl = process.env.FHIR_BASE_URL;
if (!baseUrl) throw new Error('Set FHIR_BASE_URL to the FHIR base of a running server.');
const client = new Client({ baseUrl, bearerToken: process.env.FHIR_TOKEN });

test('sorted search follows next links to the end', async () => {
  const family = `Ødegård${Date.now()}`;
  const births = ['1991-01-01', '1971-01-01', '2001-01-01', '1981-01-01', '1961-01-01'];
  for (const birthDate of births) {
    await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family }], birthDate } });
  }
  let bundle = await client.search({ resourceType: 'Patient', searchParams: { family, _sort: 'birthdate', _count: 2 } });
  const seen = [];
  for (let guard = 0; bundle && guard < 10; guard++) {
    assert.equal(bundle.type, 'searchset');
    seen.push(...(bundle.entry ?? []).map((e) => e.resource.birthDate));
    bundle = await client.nextPage({ bundle });
  }
  assert.deepEqual(seen, ['1961-01-01', '1971-01-01', '1981-01-01', '1991-01-01', '2001-01-01']);
});

test('chained search and _include', async () => {
  const family = `Ærø${Date.now()}`;
  const p = await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family }] } });
  const o = await client.create({
    resourceType: 'Observation',
    body: {
      resourceType: 'Observation', status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] },
      subject: { reference: `Patient/${p.id}` },
    },
  });
  const bundle = await client.search({
    resourceType: 'Observation',
    searchParams: { 'subject:Patient.family': family, _include: 'Observation:subject' },
  });
  const matches = bundle.entry.filter((e) => e.search.mode === 'match').map((e) => e.resource.id);
  const included = bundle.entry.filter((e) => e.search.mode === 'include').map((e) => e.resource.id);
  assert.deepEqual(matches, [o.id]);
  assert.deepEqual(included, [p.id]);
});
