#!/usr/bin/env python3
"""Writes assets/sandbox-seed.json: the sandbox's users, WhatsApp lines and chats.

Deterministic (fixed random seed), so the file only changes when this script does.
Times are minutes before the sandbox starts, so windows are open, closing or closed at
every start. Run: python3 scripts/make-sandbox-seed.py
"""
import json
import random
import uuid
from pathlib import Path

R = random.Random(20261120)
CHATS = 320


def uid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


USERS = [
    ("Ana Luíza Ferreira", "ONLINE"), ("João Pedro Santos", "ONLINE"), ("Carlos Mendes", "ONLINE"),
    ("Márcia Conceição", "AWAY"), ("Thiago Araújo", "ONLINE"), ("Fernanda Lima", "OFFLINE"),
    ("Rafael Gonçalves", "ONLINE"), ("Beatriz Nogueira", "ONLINE"), ("Lucas Cavalcanti", "AWAY"),
    ("Patrícia Ribeiro", "ONLINE"), ("Gustavo Sá", "OFFLINE"), ("Juliana Magalhães", "ONLINE"),
    ("Renata Simões", "ONLINE"), ("Diego Assunção", "AWAY"),
]
LINES = [
    ("+55 11 3456-7890", "551134567890"), ("+55 21 2233-4455", "552122334455"), ("+55 81 3030-1212", "558130301212"),
]
FIRST = ["Mariana", "José", "Maria", "Antônio", "Francisca", "Luís", "Adriana", "Paulo", "Cláudia", "Sebastião",
         "Letícia", "Raimundo", "Vitória", "Caio", "Lúcia", "Otávio", "Débora", "Ícaro", "Simone", "Heitor",
         "Giovana", "Benedito", "Tânia", "Rogério", "Élida", "Washington", "Iracema", "Joaquim", "Noêmia", "Kauã"]
LAST = ["Silva", "Souza", "Oliveira", "Conceição", "Araújo", "Gonçalves", "Magalhães", "Simões", "Brandão",
        "Nascimento", "Assunção", "Guimarães", "Damasceno", "Falcão", "Bittencourt", "Lopes", "Sá", "Peçanha"]
SPECIAL_NAMES = [
    "Maria Aparecida dos Santos Albuquerque de Oliveira Cavalcanti Figueiredo",
    "Zé do Açaí 🍇", "Bia 🌸 Moreira", "Tanaka Hiroshi 田中宏", "Loja Ação & Cia Ltda.", "Dona Fátima 👵🏽",
    "São João Distribuidora", "Kim Min-jun 김민준", "👨‍👩‍👧 Família Peçanha", "Çiğdem Öztürk",
]
GROUPS = ["Grupo Atacado Centro", "Revendedores Nordeste 🛒", "Equipe Logística SP", "Clientes VIP ⭐",
          "Parceiros Açaí", "Pedidos Corporativos"]
CUSTOMER = [
    "Oi, meu pedido ainda não chegou", "Bom dia! Vocês entregam em Campinas?", "Qual o prazo para o Recife?",
    "Paguei o boleto ontem, podem confirmar?", "Preciso da segunda via da nota fiscal",
    "O produto veio com defeito 😞", "Tem desconto no Pix?", "Quero trocar o tamanho", "Vocês abrem no sábado?",
    "Obrigada!! Chegou certinho 🙌", "Ainda estou aguardando retorno…", "Consigo retirar na loja?",
    "O rastreio diz que foi entregue mas não recebi", "Pode cancelar meu pedido, por favor?",
    "Qual o horário de atendimento?", "Mandei o comprovante aqui",
]
AGENT = [
    "Olá! Já estou verificando para você.", "Seu pedido saiu para entrega hoje 🚚",
    "Confirmado o pagamento, obrigado!", "Segue a segunda via em anexo.", "Vou abrir a troca agora mesmo.",
    "Abrimos de segunda a sábado, das 8h às 18h.", "Pode sim! Fica pronto em 2 horas.",
    "Sinto muito pelo transtorno, vamos resolver.", "Cancelamento feito, o estorno cai em até 5 dias úteis.",
]
MEDIA = [("image", "foto-embalagem.jpg", "image/jpeg"), ("document", "boleto-novembro.pdf", "application/pdf"),
         ("audio", "audio-cliente.ogg", "audio/ogg"), ("image", "comprovante-pix.png", "image/png"),
         ("document", "nota-fiscal-48213.pdf", "application/pdf")]
EMOJI = ["👍", "❤️", "🙏", "😂", "😮", "✅"]
CITIES = [("São Paulo", "SP", "01310-100", "Bela Vista"), ("Rio de Janeiro", "RJ", "22041-001", "Copacabana"),
          ("Recife", "PE", "50030-230", "Boa Vista"), ("Belo Horizonte", "MG", "30130-010", "Centro"),
          ("Porto Alegre", "RS", "90010-150", "Centro Histórico"), ("Salvador", "BA", "40020-000", "Comércio"),
          ("Florianópolis", "SC", "88010-400", "Centro"), ("Manaus", "AM", "69005-070", "Centro")]
STREETS = ["Rua Augusta", "Av. Paulista", "Rua da Aurora", "Rua dos Andradas", "Av. Sete de Setembro",
           "Rua Felipe Schmidt", "Av. Eduardo Ribeiro", "Rua Conceição"]
SOURCES = [{"name": "Instagram Ads", "utm_source": "instagram", "utm_medium": "cpc"},
           {"name": "Google Ads", "utm_source": "google", "utm_medium": "cpc"},
           {"name": "Indicação", "utm_source": "referral"}, {"name": "Site", "utm_source": "site"}]


def check_digits(digits, weights):
    total = sum(d * w for d, w in zip(digits, weights))
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def cpf():
    base = [R.randint(0, 9) for _ in range(9)]
    base.append(check_digits(base, range(10, 1, -1)))
    base.append(check_digits(base, range(11, 1, -1)))
    s = "".join(map(str, base))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def cnpj():
    base = [R.randint(0, 9) for _ in range(8)] + [0, 0, 0, 1]
    base.append(check_digits(base, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
    base.append(check_digits(base, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
    s = "".join(map(str, base))
    return f"{s[:2]}.{s[2:5]}.{s[5:8]}/{s[8:12]}-{s[12:]}"


def phone():
    ddd = R.choice(["11", "21", "31", "41", "51", "61", "71", "81", "85", "92"])
    return f"55{ddd}9{R.randint(10000000, 99999999)}"


def person(name, number, company):
    city, uf, cep, district = R.choice(CITIES)
    docs = [{"id": uid(), "type": 1, "label": "CPF", "value": cpf()}]
    if company:
        docs.append({"id": uid(), "type": 2, "label": "CNPJ", "value": cnpj()})
    contacts = [{"id": uid(), "type": 0, "value": number, "primary": True}]
    if R.random() < 0.6:
        handle = name.split(" ")[0].lower().encode("ascii", "ignore").decode() or "cliente"
        contacts.append({"id": uid(), "type": 1, "value": f"{handle}{R.randint(1, 99)}@exemplo.com.br", "primary": False})
    return {
        "id": uid(), "name": name, "birth_date": f"{R.randint(1950, 2004)}-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}",
        "gender": R.choice([0, 1, 2]), "notes": R.choice(["Cliente desde 2019.", "Prefere contato à tarde.",
                                                         "Comprou no atacado.", "", "Pediu nota com CNPJ."]),
        "contacts": contacts, "documents": docs,
        "address": {"id": uid(), "status": 1, "type": 0, "name": "Principal", "street": R.choice(STREETS),
                    "number": str(R.randint(1, 2999)), "complement": R.choice(["", "apto 42", "sala 1203", "fundos"]),
                    "district": district, "city": city, "state": uf, "postal_code": cep},
    }


def window_minutes(i):
    kind = i % 10
    if kind < 5:
        return R.randint(2, 1200)        # open
    if kind < 7:
        return R.randint(1381, 1438)     # closing within the hour
    if kind < 9:
        return R.randint(1500, 30000)    # closed
    return None                          # the customer never wrote (opened by template)


def messages_for(chat_i, responsible, participants, last_customer):
    count = R.randint(2, 6)
    start = (last_customer or R.randint(60, 20000)) + R.randint(30, 600)
    times = sorted(R.sample(range(1, 400), count - 1), reverse=True)
    out = []
    for n in range(count):
        minutes = start - (400 - times[n]) if n < count - 1 else None
        out.append(minutes)
    msgs = []
    # The last customer message sits exactly at the window start; a reply may follow it.
    reply_after = last_customer is not None and R.random() < 0.45
    for n in range(count):
        inbound = (n % 2 == 0) if not (n == count - 1) else not reply_after
        if last_customer is None:
            inbound = False
        if n == count - 1:
            minutes = (last_customer - R.randint(1, min(30, max(1, last_customer - 1)))) if reply_after else (last_customer if last_customer is not None else R.randint(60, 9000))
            minutes = max(minutes, 1)
        elif n == count - 2 and reply_after:
            inbound = True
            minutes = last_customer
        else:
            prev = msgs[-1]["minutes_ago"] if msgs else start + 400
            minutes = prev - R.randint(1, 90)
        if msgs and minutes >= msgs[-1]["minutes_ago"]:
            minutes = msgs[-1]["minutes_ago"] - 1
        if last_customer is not None and inbound and minutes < last_customer:
            minutes = last_customer
        if last_customer is not None and inbound is False and n < count - 2 and minutes <= last_customer:
            minutes = last_customer + 1
        minutes = max(minutes, 1)
        sender = None if inbound else (responsible if responsible is not None else (participants[0] if participants else R.randrange(len(USERS))))
        m = {"id": uid(), "event_id": uid(), "minutes_ago": minutes, "direction": "in" if inbound else "out",
             "by": sender, "type": "text", "body": R.choice(CUSTOMER if inbound else AGENT),
             "status": "read" if not inbound else "received"}
        roll = R.random()
        if roll < 0.12:
            kind, name, mime = R.choice(MEDIA)
            m.update({"type": kind, "media": {"id": uid(), "file_name": name, "mime_type": mime}})
            if kind == "audio":
                m["body"] = ""
        elif roll < 0.17:
            m.update({"type": "call", "body": "", "call": {"id": uid(), "direction": "INBOUND" if inbound else "OUTBOUND",
                                                           "status": R.choice(["COMPLETED", "COMPLETED", "MISSED"]),
                                                           "duration_s": R.randint(20, 900), "has_recording": R.random() < 0.5}})
        if msgs and R.random() < 0.3:
            m["quotes"] = R.randrange(len(msgs))
        if R.random() < 0.25:
            m["reactions"] = [{"id": uid(), "emoji": R.choice(EMOJI), "minutes_ago": max(1, minutes - R.randint(0, 5)),
                               "by": (None if not inbound else (responsible if responsible is not None else None))}]
        msgs.append(m)
    # Times must increase (minutes_ago decrease) along the list.
    for a, b in zip(msgs, msgs[1:]):
        if b["minutes_ago"] >= a["minutes_ago"]:
            a["minutes_ago"] = b["minutes_ago"] + 1
    for m in msgs:
        for r in m.get("reactions", []):
            r["minutes_ago"] = min(r["minutes_ago"], m["minutes_ago"])
    return msgs


def oid():
    return "%024x" % R.getrandbits(96)


AGILIZE_USERS = ["Ana Luíza Ferreira", "João Pedro Santos", "Márcia Conceição", "Thiago Araújo", "Renata Simões",
                 "Diego Assunção", "Beatriz Nogueira", "Gustavo Sá"]
DEPARTMENTS = ["Vendas", "Suporte", "Financeiro", "Pós-venda"]
TAGS = ["vip", "atacado", "reclamação", "troca", "boleto", "primeira-compra"]
ROOMS = 48


def agilize_rooms():
    """Agilize rooms in wire form: every channel, BSUID-only ones, archived, pending, tags."""
    users = [{"_id": oid(), "name": n} for n in AGILIZE_USERS]
    departments = [{"_id": oid(), "name": n} for n in DEPARTMENTS]
    tags = [{"_id": oid(), "name": n} for n in TAGS]
    rooms = []
    for i in range(ROOMS):
        channel = [1, 1, 1, 2, 3, 4][i % 6]
        bsuid = channel == 1 and i % 9 == 4
        name = f"{R.choice(FIRST)} {R.choice(LAST)}"
        phone_number = phone()
        assigned = R.randrange(len(users)) if i % 7 else None
        in_room = sorted(({assigned} | {R.randrange(len(users)) for _ in range(R.choice([0, 1, 2]))}) - {None})
        archived = i % 8 == 3
        minutes = R.randint(3, 6000)
        room = {
            "_id": oid(), "guest": oid(), "contact": oid(), "lead": oid(), "owner": users[0]["_id"],
            "users": [users[u]["_id"] for u in in_room] if i % 5 else (users[in_room[0]]["_id"] if in_room else ""),
            "histUsers": [users[u]["_id"] for u in in_room],
            "tags": [t["_id"] for t in R.sample(tags, R.choice([0, 1, 2]))],
            "conversationDetailTags": [],
            "department": R.choice(departments)["_id"],
            "user": users[assigned]["_id"] if assigned is not None else None,
            "info": {"name": name, "phone": None if bsuid else phone_number, "email": None},
            "lastEventMinutesAgo": minutes,
            "createdMinutesAgo": minutes + R.randint(10, 9000),
            "lastFromUser": R.random() < 0.5,
            "lastMsg": R.choice(CUSTOMER + AGENT),
            "status": "closed" if archived else R.choice(["open", "open", "waiting"]),
            "chSrc": channel,
            "chInfo": {"displayPhone": LINES[0][0]} if channel == 1 else {},
            "srcId": str(R.randint(10**14, 10**15 - 1)),
            "chId": f"BR.{R.randint(10**15, 10**16 - 1)}" if bsuid else (phone_number if channel in (1, 4) else f"{R.randint(10**15, 10**16 - 1)}"),
            "chIdType": "wa_user_id" if bsuid else None,
            "chUserId": None,
            "chPhone": None if bsuid else (phone_number if channel in (1, 4) else None),
            "chUsername": (name.split(" ")[0].lower().encode("ascii", "ignore").decode() + str(i)) if channel in (1, 3) else None,
            "chIsPending": (not archived) and R.random() < 0.45,
            "chIsArchived": archived,
            "utm": {"source": R.choice(["instagram", "google", "site"]), "campaign": "black-friday"} if R.random() < 0.3 else None,
        }
        if bsuid:
            room["chUserId"] = room["chId"]
        rooms.append(room)
    return {"agilize_users": users, "departments": departments, "tags": tags, "rooms": rooms}


def main():
    users = [{"user_id": uid(), "agent_id": uid(), "name": n, "avatar": f"https://avatars.sandbox.balcao.local/{i}.png",
              "status": s} for i, (n, s) in enumerate(USERS)]
    lines = [{"id": uid(), "display_number": d, "raw_number": raw, "phone_number_id": str(R.randint(10**14, 10**15 - 1))}
             for d, raw in LINES]
    statuses = ["OPEN"] * 11 + ["SNOOZED"] * 2 + ["RESOLVED"] * 4 + ["CLOSED"] * 3
    chats = []
    for i in range(CHATS):
        group = i % 13 == 5
        if group:
            name = GROUPS[i % len(GROUPS)]
            number = f"120363{R.randint(10**11, 10**12 - 1)}"
        elif i < len(SPECIAL_NAMES) * 3 and i % 3 == 0:
            name = SPECIAL_NAMES[i // 3]
            number = phone()
        else:
            name = f"{R.choice(FIRST)} {R.choice(LAST)}" + (f" {R.choice(LAST)}" if R.random() < 0.3 else "")
            number = phone()
        named = group or R.random() < 0.85
        responsible = None if i % 5 == 3 else R.randrange(len(USERS))
        participants = []
        if responsible is not None:
            participants.append(responsible)
        for _ in range(R.choice([0, 1, 1, 2, 3]) if group else R.choice([0, 0, 1, 2])):
            extra = R.randrange(len(USERS))
            if extra not in participants:
                participants.append(extra)
        last_customer = window_minutes(i)
        status = "OPEN" if i < 12 else R.choice(statuses)
        archived = R.randint(60, 5000) if (status in ("RESOLVED", "CLOSED") and R.random() < 0.5) or i % 37 == 11 else None
        msgs = messages_for(i, responsible, participants, last_customer)
        inbound_after_reply = sum(1 for m in reversed(msgs) if m["direction"] == "in")
        unread = 0 if msgs[-1]["direction"] == "out" else min(inbound_after_reply, R.randint(1, 9))
        company = name.startswith(("Loja", "São João", "Grupo", "Revend", "Pedidos", "Parceiros"))
        chats.append({
            "id": uid(), "line": i % len(LINES) if i % 7 else 0, "wa_contact_id": number,
            "contact_name": name if named else None,
            "remote_profile_name": name.split(" ")[0] + R.choice(["", " ✨", " 🙂", ""]) if not group else name,
            "status": status, "chat_type": "GROUP" if group else "INDIVIDUAL", "priority": i % 4 if i < 8 else R.choice([0, 1, 1, 1, 2, 2, 3]),
            "unread_count": unread, "is_manually_unread": R.random() < 0.04, "archived_minutes_ago": archived,
            "responsible": responsible, "participants": participants,
            "created_minutes_ago": msgs[0]["minutes_ago"] + R.randint(1, 120),
            "last_customer_msg_minutes_ago": last_customer,
            "person": person(name, number, company) if (not group and R.random() < 0.65) else None,
            "lead_sources": [dict(R.choice(SOURCES), id=uid())] if R.random() < 0.4 else [],
            "messages": msgs,
        })
    seed = {"users": users, "lines": lines, "chats": chats}
    seed.update(agilize_rooms())
    out = Path(__file__).resolve().parent.parent / "assets" / "sandbox-seed.json"
    out.write_text(json.dumps(seed, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(chats)} chats, {len(users)} users, {len(lines)} lines)")


if __name__ == "__main__":
    main()
