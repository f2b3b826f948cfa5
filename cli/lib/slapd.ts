// A throwaway OpenLDAP server (Debian's slapd) on a loopback port, loaded from an LDIF file:
// what the LDAP tests and `npm run ldap:dev` sign in against. Nothing outside its temp dir is touched.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export const SLAPD = "/usr/sbin/slapd";
export const SUFFIX = "dc=example,dc=org";
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PASSWORD = "admin-secret";

export interface Slapd {
  url: string;
  port: number;
  /** ldapadd / ldapmodify / ldapdelete as the directory's manager. */
  modify(ldif: string): Promise<void>;
  remove(dn: string): Promise<void>;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** Without slapd a local run skips the directory tests; CI installs it, so there they must run. */
export const skipWithoutSlapd = !existsSync(SLAPD) && !process.env.CI;

function slapdConf(dir: string): string {
  // ppolicy makes pwdAccountLockedTime a known (operational) attribute and refuses binds of locked accounts.
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile ${dir}/slapd.pid
database mdb
maxsize 10485760
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/data
overlay ppolicy
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function listening(port: number, child: ChildProcess): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}`);
    try {
      await run("ldapsearch", ["-x", "-H", `ldap://127.0.0.1:${port}/`, "-b", "", "-s", "base", "(objectClass=*)"], { timeout: 2000 });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`slapd never listened on ${port}`);
}

/** Loads the LDIF offline (slapadd), then serves it on 127.0.0.1:<port>. */
export async function startSlapd(ldifFile: string, port?: number): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), "authshard-slapd-"));
  mkdirSync(join(dir, "data"));
  const conf = join(dir, "slapd.conf");
  writeFileSync(conf, slapdConf(dir));
  await run("/usr/sbin/slapadd", ["-q", "-f", conf, "-l", ldifFile]);
  const chosen = port ?? (await freePort());
  const url = `ldap://127.0.0.1:${chosen}/`;
  // -d 0: stay in the foreground (so stop() can end exactly this process) without debug output.
  const child = spawn(SLAPD, ["-f", conf, "-h", url, "-d", "0"], { stdio: "ignore" });
  await listening(chosen, child);
  const auth = ["-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PASSWORD];
  return {
    url,
    port: chosen,
    async modify(ldif) {
      const file = join(dir, `change-${Date.now()}.ldif`);
      writeFileSync(file, ldif);
      await run("ldapmodify", [...auth, "-a", "-f", file]);
    },
    async remove(dn) {
      await run("ldapdelete", [...auth, dn]);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
