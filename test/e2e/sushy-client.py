"""Drives a Redfish service with OpenStack's sushy (Debian python3-sushy) and prints what it saw as JSON.

Usage: sushy-client.py BASE_URL USERNAME PASSWORD CA_FILE [NEW_SERVICE_IDENTIFICATION]

Authenticates with sushy's SessionAuth (no silent fallback to Basic, so a broken session login fails here), pins the
service's certificate (CA_FILE), reads the service root, the managers, the session service and the accounts, PATCHes
the manager's ServiceIdentification with the ETag sushy read as If-Match, and finally logs the session out.
Exit 0 with a JSON document on stdout; anything else is a failure with a traceback on stderr.
"""

import json
import logging
import sys

import sushy
from sushy import auth as sushy_auth
from sushy.resources import base


class ManagerAccount(base.ResourceBase):
    identity = base.Field('Id', required=True)
    username = base.Field('UserName')
    role_id = base.Field('RoleId')
    enabled = base.Field('Enabled')
    locked = base.Field('Locked')


class ManagerAccountCollection(base.ResourceCollectionBase):
    @property
    def _resource_type(self):
        return ManagerAccount


class AccountService(base.ResourceBase):
    """sushy 4.x has no AccountService class; this one uses sushy's own resource machinery."""

    identity = base.Field('Id', required=True)
    service_enabled = base.Field('ServiceEnabled')
    min_password_length = base.Field('MinPasswordLength')
    max_password_length = base.Field('MaxPasswordLength')
    lockout_threshold = base.Field('AccountLockoutThreshold')
    _accounts_path = base.Field(['Accounts', '@odata.id'], required=True)

    @property
    def accounts(self):
        return ManagerAccountCollection(self._conn, self._accounts_path, redfish_version=self.redfish_version,
                                        root=self.root)


class Warnings(logging.Handler):
    """Collects sushy's warnings (e.g. an If-Match that was refused and retried without it)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def main():
    base_url, username, password, ca_file = sys.argv[1:5]
    new_ident = sys.argv[5] if len(sys.argv) > 5 else None
    warnings = Warnings()
    logging.getLogger('sushy').addHandler(warnings)
    logging.getLogger('sushy').setLevel(logging.WARNING)

    auth = sushy_auth.SessionAuth(username=username, password=password)
    root = sushy.Sushy(base_url, auth=auth, verify=ca_file)
    out = {'sushy_version': getattr(sushy, '__version__', None)}

    out['root'] = {
        'redfish_version': root.redfish_version,
        'uuid': root.uuid,
        'product': root.product,
        'sessions_path': root.get_sessions_path(),
    }
    out['session'] = {'key_set': bool(auth.get_session_key()), 'uri': auth.get_session_resource_id()}

    managers = root.get_manager_collection()
    out['managers'] = list(managers.members_identities)
    mgr = root.get_manager('/redfish/v1/Managers/Shoal')
    out['manager'] = {
        'identity': mgr.identity,
        'name': mgr.name,
        'manager_type': mgr.manager_type.value if mgr.manager_type else None,
        'firmware_version': mgr.firmware_version,
        'uuid': mgr.uuid,
        'model': mgr.model,
        'etag': mgr._get_etag(),
        'allow_patch': mgr._allow_patch(),
    }
    out['default_manager'] = root.get_manager().identity  # the single-member shortcut

    ss = root.get_session_service()
    sessions = ss.sessions
    out['session_service'] = {
        'identity': ss.identity,
        'enabled': ss.service_enabled,
        'timeout': ss.session_timeout,
        'sessions': list(sessions.members_identities),
    }
    own = root.get_session(auth.get_session_resource_id())
    out['own_session'] = {'identity': own.identity, 'username': own.username}

    if hasattr(root, 'get_account_service'):  # newer sushy releases
        acs = root.get_account_service()
        out['account_service_from'] = 'sushy'
    else:
        acs = AccountService(root._conn, root.json['AccountService']['@odata.id'], redfish_version=root.redfish_version,
                             root=root)
        out['account_service_from'] = 'local-class'
    accounts = acs.accounts
    out['account_service'] = {
        'identity': acs.identity,
        'min_password_length': getattr(acs, 'min_password_length', None),
        'accounts': list(accounts.members_identities),
    }
    out['accounts'] = [
        {'identity': a.identity, 'username': a.username, 'role_id': a.role_id, 'enabled': a.enabled}
        for a in accounts.get_members()
    ]

    if new_ident is not None:
        etag = mgr._get_etag()
        resp = root._conn.patch(mgr.path, data={'ServiceIdentification': new_ident}, etag=etag)
        mgr.refresh()
        out['patch'] = {
            'status': resp.status_code,
            'sent_etag': etag,
            'new_etag': mgr._get_etag(),
            'value': mgr.json.get('ServiceIdentification'),
        }
        # The ETag sent above is stale now: the service must refuse it with 412. sushy then logs a warning and
        # retries without If-Match (its documented workaround for services with broken ETags).
        before = len(warnings.messages)
        resp = root._conn.patch(mgr.path, data={'ServiceIdentification': new_ident + '-2'}, etag=etag)
        mgr.refresh()
        out['stale_patch'] = {
            'status': resp.status_code,
            'warnings': warnings.messages[before:],
            'value': mgr.json.get('ServiceIdentification'),
        }

    # Log out explicitly (sushy otherwise tries it from __del__ at interpreter exit).
    session_uri = auth.get_session_resource_id()
    auth.close()
    out['logged_out'] = session_uri
    out['warnings'] = warnings.messages
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
