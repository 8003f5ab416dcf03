"""The engine's texts about documents (pt, en): readings shown and confirmed, files refused,
kept for later or not asked for, optional documents passed, typing instead of a file.

Document kinds carry their own article (``bot.dialogue.documents.kind_name``)."""

from __future__ import annotations

__all__ = ["DOCUMENT_TEXTS"]

DOCUMENT_TEXTS: dict[str, dict[str, str]] = {
    # Documents.
    "document_read": {"pt": "Li {document}:", "en": "I read {document}:"},
    "document_confirm": {"pt": "Os dados estão corretos?", "en": "Is this correct?"},
    "document_confirm_again": {
        "pt": "Sobre a leitura acima ({document}): os dados estão corretos?",
        "en": "About the reading above ({document}): is it correct?",
    },
    "document_confirmed": {
        "pt": "Obrigada! {document} {done}. ✅",
        "en": "Thanks! {document} {done}. ✅",
    },
    "document_early_shown": {
        "pt": "Você já tinha me enviado este documento.",
        "en": "You had already sent me this document.",
    },
    "document_kept_for_later": {
        "pt": "Recebi: {document}. Vou usar no próximo passo; agora preciso de: {needed}.",
        "en": "Got it: {document}. I'll use it in the next step; now I need: {needed}.",
    },
    "document_kept_not_asked": {
        "pt": "Recebi: {document}. Esse documento não é pedido no seu cadastro, mas fica guardado "
        "junto dos seus documentos. Agora preciso de: {needed}.",
        "en": "Got it: {document}. It isn't required for your registration, but it's kept with "
        "your documents. Now I need: {needed}.",
    },
    "document_kept_not_asked_done": {
        "pt": "Recebi: {document}. Esse documento não é pedido no seu cadastro, mas fica guardado "
        "junto dos seus documentos.",
        "en": "Got it: {document}. It isn't required for your registration, but it's kept with "
        "your documents.",
    },
    "document_not_asked": {
        "pt": "Não pedimos {document} no seu cadastro: não precisa enviar (se mandar, eu guardo "
        "junto dos seus documentos).",
        "en": "We don't ask for {document} in your registration: no need to send it (if you do, "
        "I'll keep it with your documents).",
    },
    "document_not_needed": {
        "pt": "Recebi: {document}, mas esse já está confirmado. Agora preciso de: {needed}.",
        "en": "Got it: {document}, but that one is already confirmed. Now I need: {needed}.",
    },
    "document_unknown": {
        "pt": "Não reconheci esse documento. Preciso de: {needed}.",
        "en": "I didn't recognise that document. I need: {needed}.",
    },
    "document_kept_while_confirming": {
        "pt": "Li também {document}; te mostro assim que você responder sobre {shown} acima.",
        "en": "I've also read {document}; I'll show it as soon as you answer about {shown} above.",
    },
    "document_unknown_other_coming": {
        "pt": "Nesse arquivo não encontrei os dados de um documento (se for o verso, tudo bem). "
        "Ainda estou lendo o outro que você mandou; te respondo em instantes.",
        "en": "I didn't find a document's details in that file (if it's the back, that's fine). "
        "I'm still reading the other one you sent; I'll answer in a moment.",
    },
    "document_still_reading": {
        "pt": "Ainda estou lendo o arquivo que você mandou; te respondo em instantes. ⏳",
        "en": "I'm still reading the file you sent; I'll answer in a moment. ⏳",
    },
    "document_field_not_read": {
        "pt": "não consegui ler (se quiser, digite: “{label}: …”)",
        "en": "couldn't read it (you may type it: “{label}: …”)",
    },
    "document_no_fields": {
        "pt": "Reconheci {document}, mas não consegui ler os dados. Pode mandar outra foto (ou "
        "o PDF)? Com o documento plano, inteiro e com boa luz.",
        "en": "I recognised {document}, but couldn't read its details. Could you send another "
        "photo (or the PDF)? With the document flat, whole and in good light.",
    },
    "document_fix_differs": {
        "pt": "O {label} corrigido ({typed}) é diferente do informado no cadastro ({registered}).",
        "en": "The corrected {label} ({typed}) differs from the one in the registration "
        "({registered}).",
    },
    "document_fix_replaced": {
        "pt": "{label} lido no documento: {read}; você corrigiu para {typed}. A equipe vai "
        "conferir no documento.",
        "en": "{label} read on the document: {read}; you corrected it to {typed}. The team will "
        "check it on the document.",
    },
    "document_mismatch_explain": {
        "pt": "Se os dados lidos estão certos, mesmo com a diferença, responda 1: eu aviso a "
        "equipe, e uma pessoa confere com você. Se o documento não é o certo, responda 3 e "
        "envie o certo.",
        "en": "If the details read are right, even with the difference, answer 1: I'll tell the "
        "team, and a person will check it with you. If it's not the right document, answer 3 "
        "and send the right one.",
    },
    "document_send_another": {
        "pt": "Pode me mandar outra foto (ou o PDF) por aqui. Se não conseguir, escreva HUMANO "
        "e uma pessoa da equipe te ajuda.",
        "en": "You can send me another photo (or the PDF) here. If you can't, write HUMAN and "
        "a person from the team will help you.",
    },
    "document_which_field": {
        "pt": "Qual dado está errado?",
        "en": "Which field is wrong?",
    },
    "document_ask_field": {
        "pt": "Qual é o valor certo de {label}?",
        "en": "What is the correct {label}?",
    },
    "document_field_fixed": {
        "pt": "Anotei a correção de “{label}”.",
        "en": "I noted the correction of “{label}”.",
    },
    "document_fields_fixed": {
        "pt": "Anotei as correções: {labels}.",
        "en": "I noted the corrections: {labels}.",
    },
    "cpf_invalid": {
        "pt": "Esse CPF não é válido: confira os 11 dígitos.",
        "en": "That CPF is not valid: please check the 11 digits.",
    },
    "uf_invalid": {
        "pt": "Use a sigla do estado, por exemplo SP.",
        "en": "Use the state's code, e.g. SP.",
    },
    "date_invalid": {
        "pt": "Mande a data como DD/MM/AAAA, por exemplo 05/03/1985.",
        "en": "Send the date as DD/MM/YYYY, e.g. 05/03/1985.",
    },
    "document_number_invalid": {
        "pt": "Esse número não parece certo; mande só os números do documento.",
        "en": "That number doesn't look right; send only the document's digits.",
    },
    "contact_filled": {
        "pt": "Anotei o contato ({area}): {details}.",
        "en": "I noted the contact ({area}): {details}.",
    },
    "document_before_consent": {
        "pt": "Recebi o arquivo, mas antes de guardar qualquer documento preciso do seu "
        "consentimento. Depois é só enviar de novo.",
        "en": "I got the file, but before keeping any document I need your consent. Then just "
        "send it again.",
    },
    "documents_info_now": {
        "pt": "Preciso de: {needed}. Pode enviar por aqui mesmo: o PDF ou uma foto com o "
        "documento plano, inteiro e com boa luz.",
        "en": "I need: {needed}. You can send them right here: the PDF or a photo of the "
        "document flat, whole and in good light.",
    },
    "documents_all_received": {
        "pt": "Seus documentos já estão todos com a gente ✅; não precisa enviar mais nada.",
        "en": "We already have all your documents ✅; there is nothing more to send.",
    },
    "status_erasure": {
        "pt": "Seu pedido de exclusão dos dados está em análise; te avisamos do resultado por "
        "aqui.",
        "en": "Your request to erase your data is being reviewed; we'll tell you the outcome here.",
    },
    "status_book_training": {
        "pt": "agendar o treinamento (escreva “quero agendar o treinamento”)",
        "en": "book the training (write “schedule the training”)",
    },
    "cep_empty": {
        "pt": "Não encontrei números: o CEP tem 8 dígitos, por exemplo 01310-100.",
        "en": "I found no digits: a CEP has 8 digits, e.g. 01310-100.",
    },
    "contact_replaced": {
        "pt": "Corrigido: o contato ({area}) agora é {details}.",
        "en": "Fixed: the contact ({area}) is now {details}.",
    },
    "ask_contact_name": {
        "pt": "Certo! Qual é o nome de quem cuida do contato ({area})?",
        "en": "All right! What is the name of the contact ({area})?",
    },
    "ask_contact_field": {
        "pt": "Qual é o {label} de {name}?",
        "en": "What is {name}'s {label}?",
    },
    "contact_filled_root": {"pt": "Anotei: {details}.", "en": "Noted: {details}."},
    # Optional documents (issue #16): "não tenho agora" passes the step.
    "document_skipped": {
        "pt": "Sem problema! Quando tiver {document}, é só enviar por aqui.",
        "en": "No problem! When you have {document}, just send it here.",
    },
    "document_expected_optional": {
        "pt": "Aqui eu preciso de um arquivo: envie a foto ou o PDF. Se não tiver agora, "
        "diga “não tenho agora”.",
        "en": "Here I need a file: please send the photo or the PDF. If you don't have it now, "
        "say “not now”.",
    },
    # At a document step, "posso digitar os dados?" / "não consigo mandar foto".
    "document_no_typing": {
        "pt": "Preciso do próprio documento ({document}): é ele que a equipe "
        "confere, então os dados digitados não o substituem. Vale foto ou PDF.{tips} Se não "
        "tiver agora, mande quando puder; se não conseguir enviar, escreva HUMANO e alguém da "
        "equipe te ajuda.",
        "en": "I need the document itself ({document}): it is what the team checks, so "
        "typed details can't replace it. A photo or a PDF works.{tips} If you don't have it "
        "now, send it when you can; if you can't send it, write HUMAN and someone from the "
        "team will help.",
    },
    "document_pdf_cnpj_card": {
        "pt": "O cartão CNPJ você baixa em PDF no site da Receita Federal.",
        "en": "You can download the CNPJ card as a PDF from the Receita Federal's website.",
    },
    "document_pdf_cnh": {
        "pt": "A CNH digital (CNH-e) sai em PDF pelo app Carteira Digital de Trânsito.",
        "en": "The digital licence (CNH-e) can be exported as a PDF from the Carteira Digital "
        "de Trânsito app.",
    },
}
