"""The operations report (notebook operations_status): KOMBIT's monthly availability of
Serviceplatformen and the support systems against their SLA targets, the breaches, and the
calls to Serviceplatformen."""
