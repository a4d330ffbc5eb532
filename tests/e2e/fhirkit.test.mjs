// Independent-client test: fhir-kit-client against a running Fellesjournal server.
// FHIR_BASE_URL must point at the FHIR base (e.g. http://127.0.0.1:5123/fhir); the C# test
// E2eTests starts the server and runs `node --test` here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'fhir-kit-client';

const baseUrl = process.env.FHIR_BASE_URL;
if (!baseUrl) throw new Error('Set FHIR_BASE_URL to the FHIR base of a running server.');
const client = new Client({ baseUrl, bearerToken: process.env.FHIR_TOKEN });

test('capability statement', async () => {
  const cs = await client.capabilityStatement();
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.equal(cs.fhirVersion, '4.0.1');
  const patient = cs.rest[0].resource.find((r) => r.type === 'Patient');
  assert.ok(patient.interaction.some((i) => i.code === 'create'));
});

test('create, read, update, vread, history, delete', async () => {
  const created = await client.create({
    resourceType: 'Patient',
    body: { resourceType: 'Patient', name: [{ family: 'Fjellheim', given: ['Ingrid'] }], gender: 'female' },
  });
  assert.equal(created.resourceType, 'Patient');
  assert.ok(created.id, 'server assigns an id');
  assert.equal(created.meta.versionId, '1');

  const read = await client.read({ resourceType: 'Patient', id: created.id });
  assert.equal(read.name[0].family, 'Fjellheim');

  const updated = await client.update({
    resourceType: 'Patient', id: created.id, body: { ...read, birthDate: '1975-04-30' },
  });
  assert.equal(updated.meta.versionId, '2');
  assert.equal(updated.birthDate, '1975-04-30');

  const v1 = await client.vread({ resourceType: 'Patient', id: created.id, version: '1' });
  assert.equal(v1.birthDate, undefined);

  const history = await client.history({ resourceType: 'Patient', id: created.id });
  assert.equal(history.type, 'history');
  assert.equal(history.entry.length, 2);
  assert.equal(history.entry[0].resource.meta.versionId, '2');

  await client.delete({ resourceType: 'Patient', id: created.id });
  await assert.rejects(client.read({ resourceType: 'Patient', id: created.id }), (err) => {
    assert.equal(err.response.status, 410);
    assert.equal(err.response.data.resourceType, 'OperationOutcome');
    return true;
  });
});

test('transaction with urn:uuid references', async () => {
  const patientUrn = 'urn:uuid:3f2a9c1e-6d4b-4e8f-a1b2-c3d4e5f60718';
  const response = await client.transaction({
    body: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: patientUrn,
          resource: { resourceType: 'Patient', name: [{ family: 'Bakke' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: {
            resourceType: 'Observation', status: 'final', code: { text: 'Puls' },
            subject: { reference: patientUrn }, valueQuantity: { value: 64, unit: '/min' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    },
  });
  assert.equal(response.type, 'transaction-response');
  assert.equal(response.entry.length, 2);
  assert.match(response.entry[0].response.status, /^201/);
  const patientId = response.entry[0].resource.id;
  const obsId = response.entry[1].resource.id;
  const obs = await client.read({ resourceType: 'Observation', id: obsId });
  assert.equal(obs.subject.reference, `Patient/${patientId}`);

  const typeHistory = await client.typeHistory({ resourceType: 'Observation' });
  assert.ok(typeHistory.entry.some((e) => e.resource && e.resource.id === obsId));
});

test('search by _id', async () => {
  const created = await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'male' } });
  const bundle = await client.search({ resourceType: 'Patient', searchParams: { _id: created.id } });
  assert.equal(bundle.type, 'searchset');
  assert.equal(bundle.entry.length, 1);
  assert.equal(bundle.entry[0].resource.id, created.id);
});
