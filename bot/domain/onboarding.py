"""Onboarding stages and segments: names, labels and what the company does in each stage."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    CADASTRO = "cadastro"
    DOCUMENTOS = "documentos"
    VALIDACAO = "validacao"
    APROVACAO = "aprovacao"
    KICKOFF = "kickoff"
    CONFIGURACAO = "configuracao"
    TREINAMENTO = "treinamento"
    ATIVACAO = "ativacao"
    CONCLUIDO = "concluido"
    CANCELADO = "cancelado"


class Segment(StrEnum):
    SELF_SERVICE = "self_service"
    ENTERPRISE = "enterprise"


ENTERPRISE_MIN_EMPLOYEES = 501


def segment_for(employees: int | None) -> Segment:
    if employees is not None and employees >= ENTERPRISE_MIN_EMPLOYEES:
        return Segment.ENTERPRISE
    return Segment.SELF_SERVICE


STAGE_LABELS: dict[Stage, dict[str, str]] = {
    Stage.CADASTRO: {"pt": "Cadastro", "en": "Registration"},
    Stage.DOCUMENTOS: {"pt": "Documentos", "en": "Documents"},
    Stage.VALIDACAO: {"pt": "Validação", "en": "Validation"},
    Stage.APROVACAO: {"pt": "Aprovação", "en": "Approval"},
    Stage.KICKOFF: {"pt": "Kickoff", "en": "Kickoff"},
    Stage.CONFIGURACAO: {"pt": "Configuração", "en": "Set-up"},
    Stage.TREINAMENTO: {"pt": "Treinamento", "en": "Training"},
    Stage.ATIVACAO: {"pt": "Ativação", "en": "Activation"},
    Stage.CONCLUIDO: {"pt": "Concluído", "en": "Completed"},
    Stage.CANCELADO: {"pt": "Cancelado", "en": "Cancelled"},
}

# What the company is doing while the onboarding sits in each stage (for status answers).
COMPANY_ACTIVITY: dict[Stage, dict[str, str]] = {
    Stage.CADASTRO: {
        "pt": "aguardando você concluir o cadastro",
        "en": "waiting for you to finish the registration",
    },
    Stage.DOCUMENTOS: {
        "pt": "aguardando o envio dos documentos",
        "en": "waiting for your documents",
    },
    Stage.VALIDACAO: {
        "pt": "nossa equipe está conferindo os dados e documentos",
        "en": "our team is checking your data and documents",
    },
    Stage.APROVACAO: {
        "pt": "o cadastro está em aprovação pela nossa equipe",
        "en": "your registration is being approved by our team",
    },
    Stage.KICKOFF: {
        "pt": "estamos agendando a reunião de kickoff com a pessoa responsável pela sua conta",
        "en": "we are scheduling the kickoff meeting with your account manager",
    },
    Stage.CONFIGURACAO: {
        "pt": "estamos configurando o sistema para a sua empresa",
        "en": "we are setting up the system for your company",
    },
    Stage.TREINAMENTO: {
        "pt": "falta agendar ou realizar o treinamento",
        "en": "the training session is to be scheduled or held",
    },
    Stage.ATIVACAO: {
        "pt": "estamos ativando o seu acesso",
        "en": "we are activating your access",
    },
    Stage.CONCLUIDO: {"pt": "a implantação está concluída", "en": "onboarding is complete"},
    Stage.CANCELADO: {"pt": "a implantação foi cancelada", "en": "onboarding was cancelled"},
}
