"""Gammu (libGammu, Debian python3-gammu) as an independent SMS PDU implementation for
test/centre/sms-pdu-gammu.test.ts: reads one JSON request on stdin, answers JSON on stdout.
  {"decode": ["<hex PDU with SCA>", ...]}  -> each part as Gammu reads it
  {"encode": [{"number": "+33...", "text": "...", "unicode": false}, ...]} -> Gammu's SMS-SUBMIT PDUs (hex, SCA first)
"""
import binascii
import json
import sys

import gammu


def decode(hexpdu):
    d = gammu.DecodePDU(binascii.unhexlify(hexpdu), True)
    udh = d['UDH']
    return {
        'number': d['Number'], 'text': d['Text'], 'coding': d['Coding'], 'type': d['Type'],
        'udhType': udh['Type'], 'ref': udh['ID8bit'], 'part': udh['PartNumber'], 'parts': udh['AllParts'],
        'length': d['Length'],
    }


def encode(req):
    info = {'Class': -1, 'Unicode': bool(req.get('unicode')), 'Entries': [{'ID': 'ConcatenatedTextLong', 'Buffer': req['text']}]}
    out = []
    for part in gammu.EncodeSMS(info):
        part['SMSC'] = {'Location': 0, 'Number': '', 'Format': 'Text', 'Validity': 'NA'}
        part['Number'] = req['number']
        out.append(binascii.hexlify(gammu.EncodePDU(part)).decode().upper())
    return out


def main():
    req = json.load(sys.stdin)
    res = {'version': gammu.Version()[0]}
    if 'decode' in req:
        res['decoded'] = [decode(p) for p in req['decode']]
    if 'encode' in req:
        res['encoded'] = [encode(r) for r in req['encode']]
    json.dump(res, sys.stdout, ensure_ascii=False)


main()
