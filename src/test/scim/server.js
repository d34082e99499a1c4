// A real SCIM 2.0 server for usergate's tests: SCIMMY's Users resource, kept in memory, served by
// scimmy-routers on Express 4 at /scim/v2. support/ScimServer starts it; by hand:
//   npm ci && node server.js --port 8090 --token secret [--users 300] [--seed usergate]
// Options may also come from SCIM_PORT, SCIM_TOKEN, SCIM_USERS, SCIM_SEED. It prints one line,
// "scim-server listening on 127.0.0.1 port=PORT users=N", once it accepts connections.
// Besides SCIM, POST /control/reset (same token) puts the seeded users back, and GET /control/requests counts
// the reads of /Users by kind (one user, a filtered list, a plain list).
import {createHash, randomUUID} from "node:crypto";
import {parseArgs} from "node:util";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const {values: options} = parseArgs({
    options: {
        port: {type: "string", default: process.env.SCIM_PORT ?? "0"},
        token: {type: "string", default: process.env.SCIM_TOKEN},
        users: {type: "string", default: process.env.SCIM_USERS ?? "300"},
        seed: {type: "string", default: process.env.SCIM_SEED ?? "usergate"},
        // The parent (support/ScimServer) holds our stdin: when it dies, even by SIGKILL, the pipe
        // closes and we go too, so no orphan keeps the port.
        "exit-with-stdin": {type: "boolean", default: false}
    }
});
if (!options.token) {
    console.error("scim-server: a bearer token is required (--token or SCIM_TOKEN)");
    process.exit(2);
}
const port = Number(options.port);
const seeded = Number(options.users);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(seeded) || seeded < 0) {
    console.error(`scim-server: bad --port ${options.port} or --users ${options.users}`);
    process.exit(2);
}

// Users by id, in creation order: the order every list walks.
const users = new Map();

// Each write gets a stamp later than the one before, even within one millisecond, so that
// "meta.lastModified gt <a write's stamp>" never matches that write itself.
let lastStamp = 0;
const stamp = () => new Date(lastStamp = Math.max(Date.now(), lastStamp + 1)).toISOString();

// meta.version is what the ETag header carries (RFC 7644 3.14): it changes with every write.
const versionOf = (user) => `W/"${createHash("sha256").update(JSON.stringify(user)).digest("base64url").slice(0, 22)}"`;

// Ids derived from the seed: the same N users on every start with the same seed.
const uuidFrom = (text) => {
    const hex = createHash("sha256").update(text).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[parseInt(hex[16], 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

const GIVEN = ["Zoë", "Łukasz", "José", "李", "Ana", "Søren", "Çağla", "Nguyễn", "Ólafur", "Anaïs", "Jürgen", "Małgorzata"];
const FAMILY = ["Müller", "Wałęsa", "García", "王", "O'Brien", "Dvořák", "Ångström", "Nuñez", "Kovačić", "Smith", "Öztürk"];
const SEEDED_AT = Date.parse("2025-01-01T00:00:00.000Z");
const ascii = (text) => text.normalize("NFD").replace(/[^A-Za-z]/g, "").toLowerCase() || "x";

function seedUser(i) {
    const givenName = GIVEN[i % GIVEN.length];
    const familyName = FAMILY[(i * 7) % FAMILY.length];
    const userName = `${ascii(givenName)}.${ascii(familyName)}.${String(i).padStart(4, "0")}@example.test`;
    const work = {value: userName, type: "work"};
    const home = {value: `${ascii(givenName)}${i}@home.example`, type: "home"};
    // Most users list their primary email first; every fifth lists it second.
    const emails = (i % 5 === 2 ? [{...home}, {...work, primary: true}] : [{...work, primary: true}, home]);
    const created = new Date(SEEDED_AT + i * 60_000);
    const user = {
        schemas: [SCIMMY.Schemas.User.definition.id],
        id: uuidFrom(`${options.seed}:${i}`),
        userName,
        name: {givenName, familyName, formatted: `${givenName} ${familyName}`},
        // One user in seven has no displayName.
        ...(i % 7 === 3 ? {} : {displayName: `${givenName} ${familyName}`}),
        emails,
        // One user in twenty-five is inactive.
        active: i % 25 !== 0,
        meta: {
            resourceType: "User",
            created: created.toISOString(),
            lastModified: new Date(created.getTime() + (i % 5) * 86_400_000).toISOString()
        }
    };
    user.meta.version = versionOf(user);
    return user;
}

// The same users (ids, content, versions) on every call: tests that share one server start from here.
function seed(count) {
    users.clear();
    for (let i = 1; i <= count; i++) {
        const user = seedUser(i);
        users.set(user.id, user);
    }
}
seed(seeded);

// The most users one list answer holds, as ServiceProviderConfig's filter.maxResults says.
const MAX_RESULTS = 200;
const notFound = (id) => new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);

SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .egress((resource) => {
        if (resource.id) {
            const user = users.get(resource.id);
            if (!user) throw notFound(resource.id);
            return structuredClone(user);
        }
        const matched = (resource.filter ? resource.filter.match([...users.values()]) : [...users.values()]);
        // SCIMMY pages the whole list itself (startIndex, count: 20 when absent), with two gaps filled
        // here: it does not hold count to the maxResults it advertises, and a startIndex past the last
        // match gives back the first page instead of an empty one.
        const {startIndex = 1, count} = resource.constraints ?? {};
        if (count > MAX_RESULTS) resource.constraints.count = MAX_RESULTS;
        if (startIndex > matched.length) {
            resource.constraints = {...resource.constraints, totalResults: matched.length};
            return [];
        }
        return matched.map((user) => structuredClone(user));
    })
    .ingress((resource, instance) => {
        // What the caller sent, as SCIMMY coerced it to the User schema; id and meta are ours.
        const {id, meta, schemas, ...fields} = JSON.parse(JSON.stringify(instance));
        const existing = (resource.id ? users.get(resource.id) : undefined);
        if (resource.id && !existing) throw notFound(resource.id);
        const taken = [...users.values()].some((user) => user.userName === fields.userName && user.id !== resource.id);
        if (taken) throw new SCIMMY.Types.Error(409, "uniqueness", `userName ${fields.userName} is taken`);
        const now = stamp();
        const user = {
            schemas, id: existing?.id ?? randomUUID(), ...fields,
            meta: {resourceType: "User", created: existing?.meta.created ?? now, lastModified: now}
        };
        user.meta.version = versionOf(user);
        users.set(user.id, user);
        return structuredClone(user);
    })
    .degress((resource) => {
        if (!users.delete(resource.id)) throw notFound(resource.id);
    });

const app = express();
// Express 4 already answers a GET whose If-None-Match matches the response's ETag with 304 and no body
// (res.send checks req.fresh), on what scimmy-routers sends. Only the ETag is ours: a single resource's
// meta.version instead of Express's hash of the body; lists carry none.
app.set("etag", (body) => {
    try {
        const resource = JSON.parse(body);
        return (typeof resource?.meta?.version === "string" ? resource.meta.version : undefined);
    } catch {
        return undefined;
    }
});
app.set("x-powered-by", false);
// Not SCIM: puts the seeded users back (?users=N to seed another number), for tests that share the server.
app.post("/control/reset", (request, response) => {
    const count = Number(request.query.users ?? seeded);
    if (request.header("Authorization") !== `Bearer ${options.token}`) return response.sendStatus(401);
    if (!Number.isInteger(count) || count < 0) return response.status(400).send(`bad users=${request.query.users}`);
    seed(count);
    response.sendStatus(204);
});
// Not SCIM: what reached /Users since start, by kind, so that tests can see how usergate read it.
const requests = {single: 0, filtered: 0, listed: 0};
app.use("/scim/v2/Users", (request, response, next) => {
    if (request.method === "GET") {
        if (request.path !== "/" && request.path !== "") requests.single++;
        else if (request.query.filter) requests.filtered++;
        else requests.listed++;
    }
    next();
});
app.get("/control/requests", (request, response) => {
    if (request.header("Authorization") !== `Bearer ${options.token}`) return response.sendStatus(401);
    response.json(requests);
});
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    handler: (request) => {
        if (request.header("Authorization") !== `Bearer ${options.token}`) throw new Error("Missing or wrong bearer token");
        return "usergate";
    },
    // Absolute meta.location and Location, as real servers send them.
    baseUri: () => `http://127.0.0.1:${server.address().port}`
}));
// After the routers, which set the rest of ServiceProviderConfig.
SCIMMY.Config.set({etag: true, filter: MAX_RESULTS});

const server = app.listen(port, "127.0.0.1", () => {
    console.log(`scim-server listening on 127.0.0.1 port=${server.address().port} users=${users.size}`);
});
server.on("error", (error) => {
    console.error(`scim-server: ${error.message}`);
    process.exit(1);
});

const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (options["exit-with-stdin"]) {
    process.stdin.on("end", () => process.exit(0));
    process.stdin.resume();
}
