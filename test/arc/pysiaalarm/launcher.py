"""Runs pysiaalarm, the public DC-09 receiver behind Home Assistant's SIA integration, for Vigil's tests.

Vigil ships none of pysiaalarm's code: the tests find a checkout outside the repository
(test/arc/pysiaalarm/peer.ts) and start this launcher with Debian's /usr/bin/python3.

  python3 launcher.py '<json>'   json: {"src": "<dir holding the pysiaalarm package>",
                                        "accounts": [{"account_id": "1234", "key": null}], "protocol": "TCP"}

Prints `READY <port>` once listening, then `EVENT <json>` for every event pysiaalarm handed to its
application callback (what Home Assistant would see). Nothing of pysiaalarm's behaviour is changed:
Debian's python3-pycryptodome installs as `Cryptodome`, pysiaalarm imports `Crypto`, so the module is
aliased under the name pysiaalarm expects, and that is all.
"""
import asyncio
import json
import sys

import Cryptodome
import Cryptodome.Cipher
import Cryptodome.Cipher.AES
import Cryptodome.Cipher._mode_cbc

sys.modules["Crypto"] = Cryptodome
sys.modules["Crypto.Cipher"] = Cryptodome.Cipher
sys.modules["Crypto.Cipher.AES"] = Cryptodome.Cipher.AES
sys.modules["Crypto.Cipher._mode_cbc"] = Cryptodome.Cipher._mode_cbc


async def main(cfg):
    sys.path.insert(0, cfg["src"])
    from pysiaalarm import SIAAccount
    from pysiaalarm.aio import CommunicationsProtocol, SIAClient

    accounts = [SIAAccount(a["account_id"], a.get("key")) for a in cfg["accounts"]]

    async def on_event(event):
        print("EVENT " + json.dumps({
            "account": event.account, "code": event.code, "ri": event.ri, "message": event.message,
            "messageType": str(getattr(event.message_type, "value", event.message_type)), "sequence": event.sequence,
            "receiver": event.receiver, "line": event.line, "encrypted": event.encrypted,
            "xdata": event.x_data, "timestamp": str(event.timestamp),
        }), flush=True)

    protocol = CommunicationsProtocol[cfg.get("protocol", "TCP")]
    client = SIAClient("127.0.0.1", 0, accounts, on_event, protocol=protocol)
    await client.async_start()
    if protocol == CommunicationsProtocol.TCP:
        port = client.server.sockets[0].getsockname()[1]
    else:
        port = client.transport.get_extra_info("sockname")[1]
    print(f"READY {port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
