"""DynamoDB registry adapter: one on-demand table, the AWS implementation of `Registry`.

boto3 is imported when the adapter is built, never by the core at import time. The table is the
one `terraform/modules/registry` creates: hash key `pk`, range key `sk`, one global secondary
index `gsi1` (`gsi1pk`, `gsi1sk`, projection ALL), all strings. Items:

item           pk                          sk               gsi1pk / gsi1sk
user           USER#{id}                   USER
email claim    EMAIL#{lower(email)}        EMAIL
subject claim  SUBJECT#{provider}#{sub}    SUBJECT
wiki           USER#{owner}                WIKI#{slug}
member         WIKI#{owner}/{slug}         MEMBER#{user}    MEMBER#{user} / {owner}/{slug}
token          WIKI#{owner}/{slug}         TOKEN#{id}       TOKENS#{user} / {created}#{id}
token hash     TOKENHASH#{hmac hex}        TOKENHASH
JWKS cache     JWKS#{issuer}               JWKS

Uniqueness (user id, email, provider subject, wiki, token id and hash) is enforced with
conditional writes (`attribute_not_exists(pk)`) inside one `TransactWriteItems`, which also checks
that the user and wiki a record points at exist. Reads of the table are strongly consistent; the
two `gsi1` listings (a user's tokens, a user's memberships) are eventually consistent on AWS, as
any GSI is. Deleting a wiki deletes its members, tokens and token hashes before the wiki item,
so an interrupted delete can leave an empty wiki but never credentials for a re-created one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from wikibot.errors import AlreadyExists, InvalidInput, NotFound
from wikibot.registry.base import Jwks, Member, Token, User, Wiki, validate_slug
from wikibot.registry.shortcuts import TokenShortcuts


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class DynamoRegistry(TokenShortcuts):
    """`Registry` over one DynamoDB table.

    Args:
        table: Table name (`WIKIBOT_REGISTRY=dynamodb://<table>`).
        token_key: Server secret for the `create_token`/`resolve_token` shortcuts.
        clock: Returns the current UTC time; tests pass a fake.
        endpoint_url: Another endpoint (a moto server in tests); None for AWS.
        region: AWS region; None for boto3's default chain (Lambda's own region).
        create_table: Create the table if missing (tests and local use; Terraform owns it on AWS).
    """

    def __init__(
        self,
        table: str,
        token_key: str = "",
        *,
        clock: Callable[[], datetime] = _utcnow,
        endpoint_url: str | None = None,
        region: str | None = None,
        create_table: bool = False,
    ) -> None:
        import boto3
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self.table = table
        self.token_key = token_key
        self._clock = clock
        self._client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
        self._ser = TypeSerializer()
        self._de = TypeDeserializer()
        self._errors = self._client.exceptions
        if create_table:
            self._create_table()

    def __repr__(self) -> str:
        return f"DynamoRegistry({self.table!r})"

    def now(self) -> datetime:
        """The registry's clock (the fake one in tests)."""
        return self._clock()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._client.close()

    def _create_table(self) -> None:
        strings = ("pk", "sk", "gsi1pk", "gsi1sk")
        try:
            self._client.create_table(
                TableName=self.table,
                BillingMode="PAY_PER_REQUEST",
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in strings],
                GlobalSecondaryIndexes=[
                    {
                        "IndexName": "gsi1",
                        "KeySchema": [
                            {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                            {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            )
        except self._errors.ResourceInUseException:
            pass

    # -- low-level helpers -------------------------------------------------------------------

    def _item(self, values: dict[str, Any]) -> dict:
        return {k: self._ser.serialize(v) for k, v in values.items() if v is not None}

    def _plain(self, item: dict) -> dict[str, Any]:
        return {k: self._de.deserialize(v) for k, v in item.items()}

    def _key(self, pk: str, sk: str) -> dict:
        return {"pk": {"S": pk}, "sk": {"S": sk}}

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        got = self._client.get_item(
            TableName=self.table, Key=self._key(pk, sk), ConsistentRead=True
        )
        return self._plain(got["Item"]) if "Item" in got else None

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        kwargs = {"TableName": self.table, **kwargs}
        while True:
            page = self._client.query(**kwargs)
            yield from (self._plain(i) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _prefix(self, pk: str, sk_prefix: str) -> Iterator[dict[str, Any]]:
        if not sk_prefix:  # the whole partition (DynamoDB refuses an empty begins_with)
            return self._query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
                ConsistentRead=True,
            )
        return self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": sk_prefix}},
            ConsistentRead=True,
        )

    def _gsi(self, gsi1pk: str) -> Iterator[dict[str, Any]]:
        return self._query(
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": gsi1pk}},
        )

    def _transact(self, items: list[dict], failures: list[Exception | None]) -> None:
        """Write all or nothing; a failed condition raises the error given for that item."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._errors.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            for reason, failure in zip(reasons, failures, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed" and failure is not None:
                    raise failure from exc
            raise

    def _put(self, values: dict[str, Any]) -> dict:
        return {
            "Put": {
                "TableName": self.table,
                "Item": self._item(values),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _exists(self, pk: str, sk: str) -> dict:
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": self._key(pk, sk),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }

    def _delete(self, pk: str, sk: str) -> dict:
        return {"Delete": {"TableName": self.table, "Key": self._key(pk, sk)}}

    def _update(
        self, pk: str, sk: str, expression: str, values: dict, condition: str | None
    ) -> bool:
        """One (conditional) UpdateItem; False when the condition did not hold."""
        extra = {"ConditionExpression": condition} if condition else {}
        names = {"#k": "keys"} if "#k" in expression else {}
        try:
            self._client.update_item(
                TableName=self.table,
                Key=self._key(pk, sk),
                UpdateExpression=expression,
                ExpressionAttributeValues=self._item(values),
                **extra,
                **({"ExpressionAttributeNames": names} if names else {}),
            )
        except self._errors.ConditionalCheckFailedException:
            return False
        return True

    # -- users -------------------------------------------------------------------------------

    def create_user(
        self, id: str, email: str = "", name: str = "", *, provider: str = "", subject: str = ""
    ) -> User:
        """Create a user (see `Registry.create_user`)."""
        validate_slug("user id", id)
        user = User(id, email.strip(), name, self._clock(), provider, subject if provider else "")
        items = [self._put({"pk": f"USER#{id}", "sk": "USER", **_user_values(user)})]
        failures: list[Exception | None] = [AlreadyExists(f"user {id!r} already exists")]
        if user.email:
            items.append(self._put({"pk": _email_pk(user.email), "sk": "EMAIL", "user_id": id}))
            failures.append(AlreadyExists(f"another user already has the email {user.email!r}"))
        if user.subject:
            subject_pk = _subject_pk(provider, subject)
            items.append(self._put({"pk": subject_pk, "sk": "SUBJECT", "user_id": id}))
            failures.append(AlreadyExists(f"another user is already {provider} {subject!r}"))
        self._transact(items, failures)
        return user

    def get_user(self, id: str) -> User:
        """Return a user (see `Registry.get_user`)."""
        item = self._get(f"USER#{id}", "USER")
        if item is None:
            raise NotFound(f"user {id!r} does not exist")
        return _user(item)

    def find_user_by_email(self, email: str) -> User | None:
        """Return the user with this email, or None (see `Registry.find_user_by_email`)."""
        email = email.strip()
        claim = self._get(_email_pk(email), "EMAIL") if email else None
        return None if claim is None else self._maybe_user(claim["user_id"])

    def find_user_by_subject(self, provider: str, subject: str) -> User | None:
        """Return the provider's user, or None (see `Registry.find_user_by_subject`)."""
        if not provider or not subject:
            return None
        claim = self._get(_subject_pk(provider, subject), "SUBJECT")
        return None if claim is None else self._maybe_user(claim["user_id"])

    def _maybe_user(self, id: str) -> User | None:
        item = self._get(f"USER#{id}", "USER")
        return None if item is None else _user(item)

    def update_user(self, id: str, *, email: str | None = None, name: str | None = None) -> User:
        """Change email and/or name (see `Registry.update_user`)."""
        user = self.get_user(id)
        new_email = user.email if email is None else email.strip()
        items: list[dict] = []
        failures: list[Exception | None] = []
        if new_email.lower() != user.email.lower():
            if new_email:
                items.append(self._put({"pk": _email_pk(new_email), "sk": "EMAIL", "user_id": id}))
                failures.append(AlreadyExists(f"another user already has the email {new_email!r}"))
            if user.email:
                items.append(self._delete(_email_pk(user.email), "EMAIL"))
                failures.append(None)
        updated = User(
            id,
            new_email,
            user.name if name is None else name,
            user.created_at,
            user.provider,
            user.subject,
        )
        items.append(
            {
                "Update": {
                    "TableName": self.table,
                    "Key": self._key(f"USER#{id}", "USER"),
                    "UpdateExpression": "SET email = :e, #n = :n",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeNames": {"#n": "name"},
                    "ExpressionAttributeValues": self._item(
                        {":e": updated.email, ":n": updated.name}
                    ),
                }
            }
        )
        failures.append(NotFound(f"user {id!r} does not exist"))
        self._transact(items, failures)
        return updated

    # -- wikis -------------------------------------------------------------------------------

    def create_wiki(self, owner: str, slug: str, title: str = "", *, public: bool = False) -> Wiki:
        """Create a wiki (see `Registry.create_wiki`)."""
        validate_slug("user id", owner)
        validate_slug("wiki slug", slug)
        now = self._clock()
        wiki = Wiki(owner, slug, title or slug, now, now, bool(public))
        self._transact(
            [
                self._exists(f"USER#{owner}", "USER"),
                self._put({"pk": f"USER#{owner}", "sk": f"WIKI#{slug}", **_wiki_values(wiki)}),
            ],
            [
                NotFound(f"user {owner!r} does not exist; create the user first"),
                AlreadyExists(f"wiki {wiki.key!r} already exists"),
            ],
        )
        return wiki

    def get_wiki(self, owner: str, slug: str) -> Wiki:
        """Return a wiki (see `Registry.get_wiki`)."""
        item = self._get(f"USER#{owner}", f"WIKI#{slug}")
        if item is None:
            raise NotFound(f"wiki {owner}/{slug} does not exist")
        return _wiki(item)

    def list_wikis(self, owner: str) -> list[Wiki]:
        """Return the owner's wikis ordered by slug (see `Registry.list_wikis`)."""
        return [_wiki(i) for i in self._prefix(f"USER#{owner}", "WIKI#")]

    def update_wiki(
        self,
        owner: str,
        slug: str,
        *,
        title: str | None = None,
        public: bool | None = None,
        page_count: int | None = None,
        bytes: int | None = None,
    ) -> Wiki:
        """Change some facts of a wiki (see `Registry.update_wiki`)."""
        changes = {"title": title, "public": public, "page_count": page_count, "bytes": bytes}
        changes = {k: v for k, v in changes.items() if v is not None}
        changes["updated_at"] = _ts(self._clock())
        names = {f"#{k}": k for k in changes}
        try:
            got = self._client.update_item(
                TableName=self.table,
                Key=self._key(f"USER#{owner}", f"WIKI#{slug}"),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=self._item({f":{k}": v for k, v in changes.items()}),
                ReturnValues="ALL_NEW",
            )
        except self._errors.ConditionalCheckFailedException as exc:
            raise NotFound(f"wiki {owner}/{slug} does not exist") from exc
        return _wiki(self._plain(got["Attributes"]))

    def delete_wiki(self, owner: str, slug: str) -> None:
        """Delete a wiki, its members and tokens (see `Registry.delete_wiki`)."""
        self.get_wiki(owner, slug)
        for item in list(self._prefix(_wiki_pk(owner, slug), "")):
            batch = [self._delete(item["pk"], item["sk"])]
            if item["sk"].startswith("TOKEN#"):
                batch.append(self._delete(f"TOKENHASH#{item['secret_hash']}", "TOKENHASH"))
            self._transact(batch, [None] * len(batch))
        try:
            self._client.delete_item(
                TableName=self.table,
                Key=self._key(f"USER#{owner}", f"WIKI#{slug}"),
                ConditionExpression="attribute_exists(pk)",
            )
        except self._errors.ConditionalCheckFailedException as exc:
            raise NotFound(f"wiki {owner}/{slug} does not exist") from exc

    # -- members -----------------------------------------------------------------------------

    def put_member(self, wiki_owner: str, wiki_slug: str, user_id: str, role: str) -> Member:
        """Give a user a role on a wiki (see `Registry.put_member`)."""
        if not role:
            raise InvalidInput("a member needs a role")
        if user_id == wiki_owner:
            raise InvalidInput(f"{user_id!r} owns {wiki_owner}/{wiki_slug}; owners are not members")
        key = f"{wiki_owner}/{wiki_slug}"
        values = {
            ":r": role,
            ":now": _ts(self._clock()),
            ":g": f"MEMBER#{user_id}",
            ":gs": key,
            ":o": wiki_owner,
            ":s": wiki_slug,
            ":u": user_id,
        }
        self._transact(
            [
                self._exists(f"USER#{wiki_owner}", f"WIKI#{wiki_slug}"),
                self._exists(f"USER#{user_id}", "USER"),
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": self._key(_wiki_pk(wiki_owner, wiki_slug), f"MEMBER#{user_id}"),
                        "UpdateExpression": "SET #r = :r, added_at = if_not_exists(added_at, :now),"
                        " gsi1pk = :g, gsi1sk = :gs, wiki_owner = :o, wiki_slug = :s,"
                        " user_id = :u",
                        "ExpressionAttributeNames": {"#r": "role"},
                        "ExpressionAttributeValues": self._item(values),
                    }
                },
            ],
            [
                NotFound(f"wiki {key} does not exist"),
                NotFound(f"user {user_id!r} does not exist"),
                None,
            ],
        )
        member = self.get_member(wiki_owner, wiki_slug, user_id)
        assert member is not None
        return member

    def get_member(self, wiki_owner: str, wiki_slug: str, user_id: str) -> Member | None:
        """Return one membership or None (see `Registry.get_member`)."""
        item = self._get(_wiki_pk(wiki_owner, wiki_slug), f"MEMBER#{user_id}")
        return None if item is None else _member(item)

    def list_members(self, wiki_owner: str, wiki_slug: str) -> list[Member]:
        """Return the wiki's members by user id (see `Registry.list_members`)."""
        return [_member(i) for i in self._prefix(_wiki_pk(wiki_owner, wiki_slug), "MEMBER#")]

    def list_memberships(self, user_id: str) -> list[Member]:
        """Return the user's memberships by wiki (see `Registry.list_memberships`)."""
        return [_member(i) for i in self._gsi(f"MEMBER#{user_id}")]

    def remove_member(self, wiki_owner: str, wiki_slug: str, user_id: str) -> None:
        """Remove a membership (see `Registry.remove_member`)."""
        try:
            self._client.delete_item(
                TableName=self.table,
                Key=self._key(_wiki_pk(wiki_owner, wiki_slug), f"MEMBER#{user_id}"),
                ConditionExpression="attribute_exists(pk)",
            )
        except self._errors.ConditionalCheckFailedException as exc:
            raise NotFound(f"{user_id!r} is not a member of {wiki_owner}/{wiki_slug}") from exc

    # -- tokens ------------------------------------------------------------------------------

    def add_token(self, token: Token, secret_hash: str) -> Token:
        """Store a token record and its hash (see `Registry.add_token`)."""
        record = {
            "pk": _wiki_pk(token.wiki_owner, token.wiki_slug),
            "sk": f"TOKEN#{token.id}",
            "gsi1pk": f"TOKENS#{token.user_id}",
            "gsi1sk": f"{_ts(token.created_at)}#{token.id}",
            "secret_hash": secret_hash,
            **_token_values(token),
        }
        pointer = {
            "pk": f"TOKENHASH#{secret_hash}",
            "sk": "TOKENHASH",
            "token_id": token.id,
            "wiki_owner": token.wiki_owner,
            "wiki_slug": token.wiki_slug,
        }
        self._transact(
            [
                self._exists(f"USER#{token.user_id}", "USER"),
                self._exists(f"USER#{token.wiki_owner}", f"WIKI#{token.wiki_slug}"),
                self._put(record),
                self._put(pointer),
            ],
            [
                NotFound(f"user {token.user_id!r} does not exist"),
                NotFound(f"wiki {token.wiki_key} does not exist"),
                AlreadyExists(f"token {token.id!r} already exists"),
                AlreadyExists("a token with this secret already exists"),
            ],
        )
        return token

    def _token_item(self, owner: str, slug: str, token_id: str) -> dict[str, Any] | None:
        return self._get(_wiki_pk(owner, slug), f"TOKEN#{token_id}")

    def find_token(self, secret_hash: str) -> Token | None:
        """Return the live token for a hash (see `Registry.find_token`)."""
        pointer = self._get(f"TOKENHASH#{secret_hash}", "TOKENHASH")
        if pointer is None:
            return None
        item = self._token_item(pointer["wiki_owner"], pointer["wiki_slug"], pointer["token_id"])
        if item is None or item.get("revoked_at") is not None:
            return None
        return _token(item)

    def touch_token(self, token: Token, at: datetime, not_after: datetime) -> Token | None:
        """Conditionally record use (see `Registry.touch_token`)."""
        owner, slug = token.wiki_owner, token.wiki_slug
        self._update(
            _wiki_pk(owner, slug),
            f"TOKEN#{token.id}",
            "SET last_used_at = :at",
            {":at": _ts(at), ":cut": _ts(not_after)},
            "attribute_exists(pk) AND attribute_not_exists(revoked_at)"
            " AND (attribute_not_exists(last_used_at) OR last_used_at <= :cut)",
        )
        item = self._token_item(owner, slug, token.id)
        if item is None or item.get("revoked_at") is not None:
            return None
        return _token(item)

    def list_tokens(
        self, user_id: str, wiki_owner: str | None = None, wiki_slug: str | None = None
    ) -> list[Token]:
        """Return the user's tokens, oldest first (see `Registry.list_tokens`)."""
        items = self._gsi(f"TOKENS#{user_id}")
        return [
            _token(i)
            for i in items
            if (wiki_owner is None or i["wiki_owner"] == wiki_owner)
            and (wiki_slug is None or i["wiki_slug"] == wiki_slug)
        ]

    def list_wiki_tokens(self, wiki_owner: str, wiki_slug: str) -> list[Token]:
        """Return every token for a wiki (see `Registry.list_wiki_tokens`)."""
        items = self._prefix(_wiki_pk(wiki_owner, wiki_slug), "TOKEN#")
        return sorted((_token(i) for i in items), key=lambda t: (t.created_at, t.id))

    def revoke_token(self, user_id: str, token_id: str) -> None:
        """Revoke one of the user's tokens (see `Registry.revoke_token`)."""
        items = self._gsi(f"TOKENS#{user_id}")
        item = next((i for i in items if i["id"] == token_id), None)
        # Another user's token gets the same answer as a missing one: ids are not probeable.
        if item is None:
            raise NotFound(f"token {token_id!r} does not exist for user {user_id!r}")
        self._revoke(item)

    def _revoke(self, item: dict[str, Any]) -> bool:
        return self._update(
            item["pk"],
            item["sk"],
            "SET revoked_at = :at",
            {":at": _ts(self._clock())},
            "attribute_exists(pk) AND attribute_not_exists(revoked_at)",
        )

    def revoke_user_tokens(self, wiki_owner: str, wiki_slug: str, user_id: str) -> int:
        """Revoke a user's live tokens for a wiki (see `Registry.revoke_user_tokens`)."""
        items = self._prefix(_wiki_pk(wiki_owner, wiki_slug), "TOKEN#")
        return sum(
            self._revoke(i)
            for i in list(items)
            if i["user_id"] == user_id and i.get("revoked_at") is None
        )

    # -- JWKS cache --------------------------------------------------------------------------

    def get_jwks(self, issuer: str) -> Jwks | None:
        """Return the cached key set (see `Registry.get_jwks`)."""
        item = self._get(f"JWKS#{issuer}", "JWKS")
        if item is None:
            return None
        return Jwks(
            issuer,
            json.loads(item.get("keys", "[]")),
            _dt(item.get("fetched_at")),
            _dt(item.get("refresh_claimed_at")),
        )

    def put_jwks(self, issuer: str, keys: list[dict], fetched_at: datetime) -> None:
        """Replace the cached key set (see `Registry.put_jwks`)."""
        self._update(
            f"JWKS#{issuer}",
            "JWKS",
            "SET #k = :k, fetched_at = :f",
            {":k": json.dumps(keys), ":f": _ts(fetched_at)},
            None,
        )

    def claim_jwks_refresh(self, issuer: str, at: datetime, not_after: datetime) -> bool:
        """Claim the right to refresh (see `Registry.claim_jwks_refresh`)."""
        return self._update(
            f"JWKS#{issuer}",
            "JWKS",
            "SET refresh_claimed_at = :at",
            {":at": _ts(at), ":cut": _ts(not_after)},
            "attribute_not_exists(refresh_claimed_at) OR refresh_claimed_at <= :cut",
        )


def _email_pk(email: str) -> str:
    return f"EMAIL#{email.strip().lower()}"


def _subject_pk(provider: str, subject: str) -> str:
    return f"SUBJECT#{provider}#{subject}"


def _wiki_pk(owner: str, slug: str) -> str:
    return f"WIKI#{owner}/{slug}"


def _user_values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "created_at": _ts(user.created_at),
        "provider": user.provider,
        "subject": user.subject,
    }


def _user(item: dict[str, Any]) -> User:
    return User(
        item["id"],
        item.get("email", ""),
        item.get("name", ""),
        _dt(item["created_at"]),
        item.get("provider", ""),
        item.get("subject", ""),
    )


def _wiki_values(wiki: Wiki) -> dict[str, Any]:
    return {
        "owner": wiki.owner,
        "slug": wiki.slug,
        "title": wiki.title,
        "created_at": _ts(wiki.created_at),
        "updated_at": _ts(wiki.updated_at),
        "public": wiki.public,
        "page_count": wiki.page_count,
        "bytes": wiki.bytes,
    }


def _wiki(item: dict[str, Any]) -> Wiki:
    return Wiki(
        owner=item["owner"],
        slug=item["slug"],
        title=item.get("title", ""),
        created_at=_dt(item["created_at"]),
        updated_at=_dt(item.get("updated_at")),
        public=bool(item.get("public", False)),
        page_count=int(item.get("page_count", 0)),
        bytes=int(item.get("bytes", 0)),
    )


def _member(item: dict[str, Any]) -> Member:
    return Member(
        item["wiki_owner"], item["wiki_slug"], item["user_id"], item["role"], _dt(item["added_at"])
    )


def _token_values(token: Token) -> dict[str, Any]:
    return {
        "id": token.id,
        "user_id": token.user_id,
        "wiki_owner": token.wiki_owner,
        "wiki_slug": token.wiki_slug,
        "name": token.name,
        "created_at": _ts(token.created_at),
    }


def _token(item: dict[str, Any]) -> Token:
    return Token(
        id=item["id"],
        user_id=item["user_id"],
        wiki_owner=item["wiki_owner"],
        wiki_slug=item["wiki_slug"],
        name=item.get("name", ""),
        created_at=_dt(item["created_at"]),
        last_used_at=_dt(item.get("last_used_at")),
        revoked_at=_dt(item.get("revoked_at")),
    )
