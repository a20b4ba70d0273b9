// SPDX-License-Identifier: ISC
//
// Read YAML documents on stdin (schedctl export --to kubernetes), check
// each against the Kubernetes API schema of a batch/v1 CronJob with the
// kubernetes-models package, and that its names are DNS-1123 names;
// print the objects as one JSON array.  Exit 1 on the first problem.
"use strict";

const fs = require("fs");
const YAML = require("yaml");
const { CronJob } = require("kubernetes-models/batch/v1");

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function fail(msg) {
	process.stderr.write(`validate.js: ${msg}\n`);
	process.exit(1);
}

const docs = YAML.parseAllDocuments(fs.readFileSync(0, "utf8"));
const out = [];
docs.forEach((doc, i) => {
	if (doc.errors.length > 0)
		fail(`document ${i + 1}: ${doc.errors[0].message}`);
	const obj = doc.toJS();
	if (obj === null)
		return;
	try {
		new CronJob(obj).validate();
	} catch (e) {
		fail(`document ${i + 1}: ${e.message}`);
	}
	const name = obj.metadata.name;
	if (!label.test(name) || name.length > 52)
		fail(`document ${i + 1}: bad CronJob name "${name}"`);
	for (const c of obj.spec.jobTemplate.spec.template.spec.containers)
		if (!label.test(c.name) || c.name.length > 63)
			fail(`document ${i + 1}: bad container name "${c.name}"`);
	out.push(obj);
});
process.stdout.write(JSON.stringify(out) + "\n");
