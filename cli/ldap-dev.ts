// `npm run ldap:dev`: a local OpenLDAP (Debian's slapd) on 127.0.0.1 loaded with the test
// fixture, for `npm start` with the LDAP variables it prints. Ctrl-C stops it.
import { join } from "node:path";
import { ROOT_DN, skipWithoutSlapd, SLAPD, startSlapd } from "./lib/slapd.ts";
import { ROOT } from "./lib/wrangler.ts";

const port = Number(process.env.LDAP_DEV_PORT ?? 3890);
if (skipWithoutSlapd) {
  console.error(`${SLAPD} is missing: apt-get install -y slapd ldap-utils`);
  process.exit(1);
}
const slapd = await startSlapd(join(ROOT, "test", "ldap", "fixtures", "directory.ldif"), port);
console.log(`slapd serves test/ldap/fixtures/directory.ldif at ${slapd.url} (manager ${ROOT_DN})
Put these in .dev.vars (or export them) and run npm start:
  LDAP_URL=ldap://127.0.0.1:${port}
  LDAP_BIND_DN=cn=reader,dc=example,dc=org
  LDAP_BIND_PASSWORD=reader-secret
  LDAP_USER_BASE=ou=people,dc=example,dc=org
  LDAP_GROUP_BASE=ou=groups,dc=example,dc=org
  LDAP_GROUP_ROLES={"cn=admins,ou=groups,dc=example,dc=org":"admin","cn=staff,ou=groups,dc=example,dc=org":"staff"}
Sign in as alice@example.org / alice-password (or bob@example.org / bob-password); mallory is locked.
Ctrl-C stops slapd.`);
const stop = () => void slapd.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => {}, 1 << 30);
