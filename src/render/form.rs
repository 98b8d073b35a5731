//! The klachtenregistratieformulier of one complaint as a sheet: every field the regulation
//! asks for, the categories as ticked boxes, and the two signatures or the lines still to
//! be signed. Anonymised for the office meeting, it names nobody: not the complainant, the
//! client, the matter nor any member of staff.

use chrono::{DateTime, Utc};
use strum::VariantArray;

use super::dutch;
use super::sheet::{Section, Sheet, SignatureLine};
use crate::domain::classification::{Category, Channel};
use crate::operations::actions::ActionView;
use crate::operations::complaints::{ComplaintView, SignatureView};
use crate::operations::contacts::ContactView;
use crate::operations::people::StaffRef;

/// What the form shows of one complaint.
pub struct FormFacts {
    pub organisation: String,
    pub complaint: ComplaintView,
    pub contacts: Vec<ContactView>,
    /// The complaint's corrective actions.
    pub actions: Vec<ActionView>,
}

const NOTHING: &str = "—";

/// Names people, or nobody on the anonymised form.
struct Names {
    anonymised: bool,
}

impl Names {
    fn staff(&self, person: &StaffRef) -> String {
        if self.anonymised {
            return NOTHING.to_owned();
        }
        person.name.clone().unwrap_or_else(|| person.id.clone())
    }

    fn optional_staff(&self, person: Option<&StaffRef>) -> String {
        person.map_or_else(|| NOTHING.to_owned(), |p| self.staff(p))
    }

    fn personal(&self, value: Option<&str>) -> String {
        match value {
            Some(value) if !self.anonymised => value.to_owned(),
            _ => NOTHING.to_owned(),
        }
    }
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| NOTHING.to_owned(), dutch::moment)
}

/// The form; `anonymised` for the office meeting.
pub fn sheet(facts: &FormFacts, anonymised: bool, now: DateTime<Utc>) -> Sheet {
    let c = &facts.complaint;
    let names = Names { anonymised };
    let classification = c.classification.as_ref();
    let channel = classification.and_then(|k| k.channel);
    let categories = classification.map(|k| k.categories.as_slice()).unwrap_or_default();

    let registration = Section::new("Registratie")
        .row("Soort", dutch::kind(c.kind))
        .row("Status", dutch::status(c.status))
        .row("Ontvangen op", dutch::moment(c.received_at))
        .row("Gemeld door", dutch::reporter(c.reported_by))
        .row("Geregistreerd door", names.staff(&c.registered_by))
        .row("Betrokken dienstverlener", names.staff(&c.handler))
        .row("Klacht gaat over", names.staff(&c.subject))
        .row("Klachtencoördinator", names.optional_staff(c.coordinator.as_ref()));
    let mut submitted = Section::new("Wijze van indiening");
    for option in Channel::VARIANTS {
        let label = option.label();
        submitted =
            submitted.tick(format!("{}. {}", label.code, label.nl), channel == Some(*option));
    }
    let mut nature = Section::new("Aard van de klacht");
    for category in Category::VARIANTS {
        let label = category.label();
        nature =
            nature.tick(format!("{}. {}", label.code, label.nl), categories.contains(category));
    }
    let complainant = c.complainant.as_ref();
    let address = complainant.and_then(|p| p.address.as_ref()).map(|a| a.lines().join("\n"));
    let parties = Section::new("Klager, cliënt en zaak")
        .row("Klager", names.personal(complainant.map(|p| p.name.as_str())))
        .row("Adres", names.personal(address.as_deref()))
        .row("E-mail", names.personal(complainant.and_then(|p| p.email.as_deref())))
        .row("Telefoon", names.personal(complainant.and_then(|p| p.phone.as_deref())))
        .row("Cliënt", names.personal(c.client.as_ref().map(|k| k.name.as_str())))
        .row("Cliëntnummer", names.personal(c.client.as_ref().map(|k| k.id.as_str())))
        .row("Zaak", names.personal(c.matter_reference.as_deref()));
    let description = Section::new("De klacht")
        .row("Omschrijving", c.description.clone())
        .row("Oorzaak", c.root_cause.clone().unwrap_or_else(|| NOTHING.to_owned()));

    let mut contacts = Section::new("Contact met de cliënt en termijnen")
        .row("Reactie uiterlijk", when(c.response_due_at))
        .row("Eerste reactie", when(c.first_response_at))
        .row("Terugkomen uiterlijk", when(c.follow_up_due_at));
    for contact in &facts.contacts {
        let mut said = contact.summary.clone();
        if let Some(due) = contact.follow_up_due_at {
            said.push_str(&format!("\nTermijn gegeven: uiterlijk {}", dutch::moment(due)));
        }
        contacts = contacts.row(
            &format!("{} ({})", dutch::moment(contact.at), dutch::contact_channel(contact.channel)),
            said,
        );
    }

    let mut actions = Section::new("Ondernomen of te ondernemen actie");
    for action in &facts.actions {
        let due = action.due_on.map(dutch::date).map(|d| format!(", uiterlijk {d}"));
        actions = actions.row(
            &action.title,
            format!(
                "{}{}\n{}",
                dutch::action_status(action.status),
                due.unwrap_or_default(),
                action.description
            ),
        );
    }
    if facts.actions.is_empty() {
        actions = actions.row("Acties", "Geen vastgelegd");
    }

    let escalation = Section::new("Escalatie").row(
        "Voorgelegd aan de klachtencoördinator",
        c.escalated_at.map_or_else(|| "Nee".to_owned(), dutch::moment),
    );
    let decision = match &c.decision {
        Some(d) => Section::new("Beslissing")
            .row("Beslissing", d.summary.clone())
            .row("Uitkomst", dutch::resolution(d.resolution))
            .row("Oordeel", d.judgement.map_or(NOTHING, dutch::judgement))
            .row("Besloten op", dutch::moment(d.decided_at))
            .row("Besloten door", names.staff(&d.decided_by)),
        None => Section::new("Beslissing").row("Beslissing", "Nog geen beslissing"),
    };
    let confirmation = match &c.written_confirmation {
        Some(w) => Section::new("Schriftelijke bevestiging")
            .row("Verstuurd op", dutch::moment(w.sent_at))
            .row("Per", dutch::confirmation_channel(w.channel))
            .row(
                "Document in het dossier",
                w.document_id.map_or_else(|| NOTHING.to_owned(), |id| format!("nr. {id}")),
            ),
        None => Section::new("Schriftelijke bevestiging").row("Verstuurd op", "Nog niet bevestigd"),
    };
    let satisfaction = match &c.satisfaction {
        // The client's words stay on the anonymised form, as the complaint's own text does:
        // the meeting discusses them.
        Some(s) => Section::new("Tevredenheid van de cliënt")
            .row("Oordeel van de cliënt", format!("{} van 5", s.score))
            .row("Toelichting", s.remark.clone().unwrap_or_else(|| NOTHING.to_owned()))
            .row("Vastgelegd op", dutch::moment(s.recorded_at)),
        None => Section::new("Tevredenheid van de cliënt")
            .row("Oordeel van de cliënt", "Niet vastgelegd"),
    };

    let signature =
        |capacity: &str, signed: Option<&SignatureView>, signer: Option<&StaffRef>| SignatureLine {
            capacity: capacity.to_owned(),
            name: signed
                .map(|s| &s.signed_by)
                .or(signer)
                .filter(|_| !anonymised)
                .map(|p| names.staff(p)),
            signed_at: signed.map(|s| dutch::moment(s.signed_at)),
        };
    Sheet {
        title: "Klachtenregistratieformulier".to_owned(),
        organisation: facts.organisation.clone(),
        reference: c.reference.clone(),
        note: anonymised.then(|| "Geanonimiseerd voor het kantooroverleg".to_owned()),
        sections: vec![
            registration,
            submitted,
            nature,
            parties,
            description,
            contacts,
            actions,
            escalation,
            decision,
            confirmation,
            satisfaction,
        ],
        signatures: vec![
            signature(
                "Betrokken dienstverlener",
                c.signatures.dienstverlener.as_ref(),
                Some(&c.handler),
            ),
            signature(
                "Klachtencoördinator",
                c.signatures.coordinator.as_ref(),
                c.coordinator.as_ref(),
            ),
        ],
        printed: dutch::moment(now),
    }
}
