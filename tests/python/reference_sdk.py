#!/usr/bin/env python3
"""Drives the reference Trivore ID Python SDK (PyPI `trivoreid` 2.0.10) against the server named
in a Trivore `client_sdk.properties` file (normally the embedded fake, `trivoreid::fake`).

    python3 tests/python/reference_sdk.py PROPERTIES_FILE

Every step asserts its result and prints one line (`ok   name: detail` or `FAIL name: error`);
a final `N passed, M failed` line follows. Exit status 0 only when every step passed.

Known-broken SDK behaviour (sdk-behaviour.md section 11: `check_namespace_for_groups`,
`send_to_group_members`, `Email(dict)` with `from`, `construct_email(from_email=EmailAddress)`,
`UserService.create(list)`, ...) is avoided, not tested. Objects this script creates carry a
per-run suffix, so it can also run twice against the same server.
"""

import json
import sys
import traceback
import uuid
import warnings

# The SDK compares status codes with `is` (SyntaxWarning on Python 3.8+): not our business.
warnings.filterwarnings("ignore", category=SyntaxWarning)

from trivoreid.client import TrivoreID  # noqa: E402
from trivoreid.exceptions import TrivoreIDException  # noqa: E402
from trivoreid.models.datastorage import DataStorage  # noqa: E402
from trivoreid.models.email import Email  # noqa: E402
from trivoreid.models.groups import Group  # noqa: E402
from trivoreid.models.namespace import Namespace  # noqa: E402
from trivoreid.models.sms import SMSMessage  # noqa: E402
from trivoreid.models.user import User  # noqa: E402
from trivoreid.oidc.oidc_client import OidcClient  # noqa: E402
from trivoreid.utils.criteria import Filter  # noqa: E402
import trivoreid.utils.service_utils as su  # noqa: E402

PASSED = []
FAILED = []


def step(name):
    """Runs the decorated function at once as one step; its return value is the detail printed."""

    def run(fn):
        try:
            detail = fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
            FAILED.append(name)
            kind = type(e).__name__
            print("FAIL {}: {}: {}".format(name, kind, e), flush=True)
            traceback.print_exc(file=sys.stdout)
            return None
        PASSED.append(name)
        print("ok   {}{}".format(name, ": {}".format(detail) if detail else ""), flush=True)
        return detail

    return run


def main(path):
    props = su.get_properties(path)
    for key in ("service.address", "mgmtapi.id", "mgmtapi.secret", "oidc.client.id",
                "oidc.client.secret", "password.grant.username", "password.grant.password"):
        assert props.get(key), "the properties file has no usable {} line".format(key)
    run = uuid.uuid4().hex[:8]
    ns_code = "pyref" + run
    seeded_username = props["password.grant.username"]
    ctx = {}

    # ---------------------------------------------------------------- Management API (Basic)
    api = TrivoreID(path)

    @step("client: Management API over HTTP Basic")
    def _():
        assert api.oidc_user is None, "no access token was given, so there is no oidc_user"
        assert api.namespace_service._auth == (props["mgmtapi.id"], props["mgmtapi.secret"]), \
            "TrivoreID(path) took mgmtapi.id/secret from the properties file"
        return props["service.address"]

    # ---- namespaces
    @step("namespace get_all")
    def _():
        page = api.namespace_service.get_all()
        codes = [n.code for n in page.resources]
        assert page.totalResults == len(page.resources) >= 1, \
            "paging fields: totalResults={} resources={}".format(page.totalResults, len(codes))
        assert page.startIndex == 0, "startIndex {}".format(page.startIndex)
        return "{} namespace(s): {}".format(len(codes), ", ".join(codes))

    @step("namespace create")
    def _():
        ns = Namespace()
        ns.code = ns_code
        ns.name = "Python reference SDK " + run
        ns.shortName = "pyref"
        created = api.namespace_service.create(ns)
        assert created.id, "the created namespace has an id"
        assert created.code == ns_code, "code {!r}".format(created.code)
        assert created.name == ns.name, "name {!r}".format(created.name)
        ctx["ns_id"] = created.id
        return "{} ({})".format(created.code, created.id)

    @step("namespace get by code and by id")
    def _():
        by_code = api.namespace_service.get(ns_code)
        by_id = api.namespace_service.get(ctx["ns_id"])
        assert by_code.id == ctx["ns_id"], "get({}) id {!r}".format(ns_code, by_code.id)
        assert by_id.code == ns_code, "get(id) code {!r}".format(by_id.code)
        assert by_code.usernamePolicy == "EIGHT_NUMBERS", \
            "usernamePolicy {!r}".format(by_code.usernamePolicy)
        return by_code.name

    @step("namespace get_all with a code filter")
    def _():
        page = api.namespace_service.get_all(Filter(Filter.EQUAL, "code", ns_code))
        assert [n.id for n in page.resources] == [ctx["ns_id"]], \
            "found {}".format([n.code for n in page.resources])
        return "1 match"

    @step("namespace get unknown -> TrivoreIDException 404")
    def _():
        try:
            api.namespace_service.get("no-such-namespace-" + run)
        except TrivoreIDException as e:
            assert e.resporse_code == 404, "status {}".format(e.resporse_code)
            assert str(e).startswith("status code 404, "), str(e)
            return str(e)
        raise AssertionError("no exception for an unknown namespace")

    # ---- groups
    @step("group create")
    def _():
        parent = api.group_service.create(Group({
            "name": "parent-" + run, "nsCode": ns_code, "description": "from Python"}))
        assert parent.id and parent.name == "parent-" + run, "parent {}".format(parent.serialize())
        assert parent.nsCode == ns_code, "nsCode {!r}".format(parent.nsCode)
        child = api.group_service.create(Group({
            "name": "child-" + run, "nsCode": ns_code, "memberOf": [parent.id]}))
        assert child.id and child.memberOf == [parent.id], "child {}".format(child.serialize())
        ctx["parent"], ctx["child"] = parent.id, child.id
        return "parent {} and child {}".format(parent.id, child.id)

    @step("group get")
    def _():
        g = api.group_service.get(ctx["parent"])
        assert g.id == ctx["parent"] and g.name == "parent-" + run, g.serialize()
        assert g.description == "from Python", "description {!r}".format(g.description)
        return g.name

    @step("group get_all with an nsCode filter")
    def _():
        page = api.group_service.get_all(Filter(Filter.EQUAL, "nsCode", ns_code))
        ids = sorted(g.id for g in page.resources)
        assert ids == sorted([ctx["parent"], ctx["child"]]), "found {}".format(ids)
        assert page.totalResults == 2, "totalResults {}".format(page.totalResults)
        return "2 groups"

    @step("group update")
    def _():
        g = api.group_service.get(ctx["parent"])
        g.description = "changed"
        updated = api.group_service.update(g)
        assert updated.id == ctx["parent"], updated.serialize()
        assert updated.description == "changed", "description {!r}".format(updated.description)
        assert api.group_service.get(ctx["parent"]).description == "changed", "not stored"
        return updated.description

    @step("group get_nested_groups")
    def _():
        nested = api.group_service.get_nested_groups(ctx["parent"])
        assert [g.id for g in nested] == [ctx["child"]], \
            "nested {}".format([g.serialize() for g in nested])
        return "child found"

    # ---- users
    @step("user create")
    def _():
        u = User({
            "username": "pyuser-" + run,
            "nsCode": ns_code,
            "name": {"givenName": "Py", "familyName": "Thon"},
            "emails": [{"address": "py-{}@example.com".format(run)}],
            "mobiles": [{"number": "+358401234567"}],
            "memberOf": [ctx["parent"]],
        })
        created = api.user_service.create(u)
        assert u.password and len(u.password) == 15, "the SDK generated a 15-char password"
        assert created.id, "the created user has an id"
        assert created.username == "pyuser-" + run, "username {!r}".format(created.username)
        assert created.nsCode == ns_code, "nsCode {!r}".format(created.nsCode)
        assert created.name.givenName == "Py", "givenName {!r}".format(created.name.givenName)
        assert [e.address for e in created.emails] == ["py-{}@example.com".format(run)], \
            "emails {}".format([e.serialize() for e in created.emails])
        assert created.password is None, "the response carries no password"
        ctx["user"] = created.id
        return "{} ({})".format(created.username, created.id)

    @step("user get_all with Filter(EQUAL, 'username', ...)")
    def _():
        f = Filter(Filter.EQUAL, "username", "pyuser-" + run)
        assert f.generate() == 'username eq "pyuser-{}"'.format(run), f.generate()
        page = api.user_service.get_all(f)
        assert [u.id for u in page.resources] == [ctx["user"]], \
            "found {}".format([u.username for u in page.resources])
        assert page.totalResults == 1, "totalResults {}".format(page.totalResults)
        return f.generate()

    @step("user get_all with and_filters (double spaces)")
    def _():
        f = Filter().and_filters(Filter(Filter.EQUAL, "nsCode", ns_code),
                                 Filter(Filter.EQUAL, "username", "pyuser-" + run))
        text = f.generate()
        assert "  and  " in text, "the SDK renders the operator with two spaces: " + text
        page = api.user_service.get_all(f)
        assert [u.id for u in page.resources] == [ctx["user"]], \
            "found {}".format([u.username for u in page.resources])
        none = api.user_service.get_all(Filter().and_filters(
            Filter(Filter.EQUAL, "nsCode", ns_code),
            Filter(Filter.EQUAL, "username", seeded_username)))
        assert none.resources == [] and none.totalResults == 0, \
            "the seeded user is not in {}".format(ns_code)
        either = api.user_service.get_all(Filter().or_filters(
            Filter(Filter.EQUAL, "username", seeded_username),
            Filter(Filter.EQUAL, "username", "pyuser-" + run)))
        assert either.totalResults == 2, "or_filters found {}".format(
            [u.username for u in either.resources])
        return text

    @step("user get_all with paging")
    def _():
        page = api.user_service.get_all(start_index=1, count=1)
        assert page.startIndex == 1 and len(page.resources) == 1, \
            "startIndex {} resources {}".format(page.startIndex, len(page.resources))
        assert page.itemsPerPage == 1, "itemsPerPage {}".format(page.itemsPerPage)
        assert page.totalResults >= 2, "totalResults {}".format(page.totalResults)
        return "startIndex=1 count=1 of {}".format(page.totalResults)

    @step("user get")
    def _():
        u = api.user_service.get(ctx["user"])
        assert u.id == ctx["user"] and u.username == "pyuser-" + run, u.serialize()
        assert u.name.familyName == "Thon", "familyName {!r}".format(u.name.familyName)
        assert [m.number for m in u.mobiles] == ["+358401234567"], \
            "mobiles {}".format([m.serialize() for m in u.mobiles])
        assert ctx["parent"] in u.memberOf, "memberOf {}".format(u.memberOf)
        return u.username

    @step("user update")
    def _():
        u = api.user_service.get(ctx["user"])
        u.nickName = "pyref"
        u.name.givenName = "Monty"
        updated = api.user_service.update(u)
        assert updated.id == ctx["user"], updated.serialize()
        assert updated.nickName == "pyref", "nickName {!r}".format(updated.nickName)
        assert updated.name.givenName == "Monty", "givenName {!r}".format(updated.name.givenName)
        again = api.user_service.get(ctx["user"])
        assert again.nickName == "pyref" and again.name.givenName == "Monty", "not stored"
        return "nickName={} givenName={}".format(again.nickName, again.name.givenName)

    @step("user custom fields update/get/delete")
    def _():
        fields = {"shoeSize": 44, "colour": "green", "nested": {"a": [1, 2]}}
        api.user_service.update_custom_fields(ctx["user"], fields)
        got = json.loads(api.user_service.get_custom_fields(ctx["user"]))
        for k, v in fields.items():
            assert got.get(k) == v, "custom field {}: {!r}".format(k, got.get(k))
        api.user_service.delete_custom_fields(ctx["user"])
        after = json.loads(api.user_service.get_custom_fields(ctx["user"]))
        assert not any(k in after for k in fields), "after delete: {}".format(after)
        return "3 fields"

    @step("user password requirements")
    def _():
        req = api.user_service.get_password_requirements(ctx["user"])
        assert isinstance(req.minLength, int) and req.minLength > 0, \
            "minLength {!r}".format(req.minLength)
        assert isinstance(req.maxLength, int) and req.maxLength >= req.minLength, \
            "maxLength {!r}".format(req.maxLength)
        return "minLength={} maxLength={}".format(req.minLength, req.maxLength)

    @step("profile get")
    def _():
        p = api.profile_service.get(ctx["user"])
        assert p.name.givenName == "Monty", "givenName {!r}".format(p.name.givenName)
        assert p.nickName == "pyref", "nickName {!r}".format(p.nickName)
        assert [e.address for e in p.emails] == ["py-{}@example.com".format(run)], \
            "emails {}".format([e.serialize() for e in p.emails])
        assert [m.number for m in p.mobiles] == ["+358401234567"], \
            "mobiles {}".format([m.serialize() for m in p.mobiles])
        return p.name.givenName

    # ---- data storage
    @step("datastorage create with data")
    def _():
        ds = DataStorage({"name": "pyref-" + run, "description": "from Python"},
                         data={"colour": "blue", "count": 3})
        created = api.datastorage_service.create(ds)
        assert created.id, "the created storage has an id"
        assert created.name == "pyref-" + run, "name {!r}".format(created.name)
        ctx["ds"] = created.id
        return created.id

    @step("datastorage get / get_data")
    def _():
        ds = api.datastorage_service.get(ctx["ds"])
        assert ds.id == ctx["ds"] and ds.name == "pyref-" + run, ds.serialize()
        assert ds.description == "from Python", "description {!r}".format(ds.description)
        data = json.loads(api.datastorage_service.get_data(ctx["ds"]))
        assert data == {"colour": "blue", "count": 3}, "data {}".format(data)
        return json.dumps(data, sort_keys=True)

    @step("datastorage update_value / get_value")
    def _():
        api.datastorage_service.update_value(ctx["ds"], "colour", "red")
        api.datastorage_service.update_value(ctx["ds"], "list", [1, "two"])
        assert api.datastorage_service.get_value(ctx["ds"], "colour") == "red", "colour"
        assert api.datastorage_service.get_value(ctx["ds"], "list") == [1, "two"], "list"
        assert api.datastorage_service.get_value(ctx["ds"], "count") == 3, "count"
        return "colour=red"

    @step("datastorage update (settings and data)")
    def _():
        ds = api.datastorage_service.get(ctx["ds"])
        ds.description = "changed"
        ds.data = {"replaced": True}
        updated = api.datastorage_service.update(ds)
        assert updated.id == ctx["ds"] and updated.description == "changed", updated.serialize()
        data = json.loads(api.datastorage_service.get_data(ctx["ds"]))
        assert data == {"replaced": True}, "data {}".format(data)
        return "description={}".format(updated.description)

    @step("datastorage get_all with dsfilter")
    def _():
        page = api.datastorage_service.get_all(dsfilter=Filter(Filter.EQUAL, "name", "pyref-" + run))
        assert [d.id for d in page.resources] == [ctx["ds"]], \
            "found {}".format([d.name for d in page.resources])
        return "1 match"

    @step("datastorage delete")
    def _():
        api.datastorage_service.delete(ctx["ds"])
        try:
            api.datastorage_service.get(ctx["ds"])
        except TrivoreIDException as e:
            assert e.resporse_code == 404, "status {}".format(e.resporse_code)
            return "gone (404)"
        raise AssertionError("the storage is still there")

    # ---- email and SMS
    @step("email send (construct_email)")
    def _():
        email = Email()
        email.construct_email(to=["py-{}@example.com".format(run)],
                              cc="cc-{}@example.com".format(run),
                              subject="Hello from Python " + run,
                              text="plain body", html="<p>html body</p>")
        body = email.serialize()
        assert body["to"][0]["address"] == "py-{}@example.com".format(run), body
        api.email_service.send(email)
        return body["subject"]

    @step("sms send")
    def _():
        msg = SMSMessage({"to": "+358401234567", "text": "Hello from Python " + run})
        msg.fromName = "pyref"
        reply = api.sms_service.send(msg)
        assert isinstance(reply, dict), "reply {!r}".format(reply)
        return json.dumps(reply, sort_keys=True)

    # ---- clean up
    @step("user delete")
    def _():
        api.user_service.delete(ctx["user"])
        try:
            api.user_service.get(ctx["user"])
        except TrivoreIDException as e:
            assert e.resporse_code == 404, "status {}".format(e.resporse_code)
            return "gone (404)"
        raise AssertionError("the user is still there")

    @step("group delete")
    def _():
        api.group_service.delete(ctx["child"])
        api.group_service.delete(ctx["parent"])
        left = api.group_service.get_all(Filter(Filter.EQUAL, "nsCode", ns_code))
        assert left.resources == [] and left.totalResults == 0, \
            "left {}".format([g.name for g in left.resources])
        return "2 deleted"

    @step("wrong Management API secret -> TrivoreIDException 401")
    def _():
        bad = TrivoreID(path, client_secret="wrong-" + run)
        try:
            bad.namespace_service.get_all()
        except TrivoreIDException as e:
            assert e.resporse_code == 401, "status {}".format(e.resporse_code)
            return str(e)
        raise AssertionError("a wrong secret was accepted")

    # ---------------------------------------------------------------- OIDC password grant
    @step("OIDC discovery (OidcClient(path))")
    def _():
        oidc = OidcClient(path)
        ctx["oidc"] = oidc
        server = props["service.address"].rstrip("/")
        assert oidc.issuer, "issuer"
        assert oidc.token_endpoint.startswith(server), oidc.token_endpoint
        assert oidc.userinfo_endpoint.startswith(server), oidc.userinfo_endpoint
        assert "openid" in oidc.scopes.split(" "), "scopes {!r}".format(oidc.scopes)
        return "scopes: " + oidc.scopes

    @step("OIDC password grant: get_access_token (grant in the query string)")
    def _():
        token = ctx["oidc"].get_access_token()
        assert token and ":" not in token and "," not in token, "token {!r}".format(token)
        user = ctx["oidc"].user  # set only when userinfo answered 200
        assert user.preferred_username == seeded_username, \
            "OidcClient.user.preferred_username {!r}".format(user.preferred_username)
        ctx["token"] = token
        return "token of {} chars".format(len(token))

    @step("OIDC: TrivoreID(path, access_token=token).oidc_user")
    def _():
        client = TrivoreID(path, access_token=ctx["token"])
        u = client.oidc_user
        assert u is not None, "userinfo with the Bearer token did not answer 200"
        assert u.id, "sub/id {!r}".format(u.id)
        assert u.preferred_username == seeded_username, \
            "preferred_username {!r}".format(u.preferred_username)
        assert u.email and "@" in u.email, "email {!r}".format(u.email)
        seeded = api.user_service.get_all(Filter(Filter.EQUAL, "username", seeded_username))
        assert len(seeded.resources) == 1, "the seeded user {} is listed".format(seeded_username)
        assert u.id == seeded.resources[0].id, "sub {!r} is the seeded user's id".format(u.id)
        assert u.nsCode == seeded.resources[0].nsCode, "nsCode {!r}".format(u.nsCode)
        ctx["bearer"] = client
        return "id={} email={} preferred_username={} nsCode={}".format(
            u.id, u.email, u.preferred_username, u.nsCode)

    @step("OIDC: Bearer client reads its own profile and user")
    def _():
        client = ctx["bearer"]
        me = client.user_service.get(client.oidc_user.id)
        assert me.username == seeded_username, "username {!r}".format(me.username)
        assert [e.address for e in me.emails] == [client.oidc_user.email], \
            "emails {}".format([e.address for e in me.emails])
        profile = client.profile_service.get()  # defaults to oidc_user.id
        assert [e.address for e in profile.emails] == [client.oidc_user.email], \
            "profile emails {}".format([e.address for e in profile.emails])
        return me.username

    @step("OIDC: wrong password -> TrivoreIDException")
    def _():
        oidc = OidcClient(path, password="wrong-" + run)
        try:
            oidc.get_access_token()
        except TrivoreIDException as e:
            assert e.resporse_code in (400, 401), "status {}".format(e.resporse_code)
            return str(e)
        raise AssertionError("a wrong password got a token")

    @step("namespace delete")
    def _():
        api.namespace_service.delete(ns_code)
        try:
            api.namespace_service.get(ns_code)
        except TrivoreIDException as e:
            assert e.resporse_code == 404, "status {}".format(e.resporse_code)
            return "gone (404)"
        raise AssertionError("the namespace is still there")

    # Markers the Rust test reads back from the fake's outbox.
    print("run-id: " + run)
    print("{} passed, {} failed".format(len(PASSED), len(FAILED)))
    if FAILED:
        print("failed: " + ", ".join(FAILED))
    return 0 if not FAILED else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: reference_sdk.py PROPERTIES_FILE", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
