"""SLA: starts the service-level clocks of each ticket on the contract's business calendar (China's
official holidays with their make-up working days) and says when each is due. The contract's
promise: an engineer on site within 4 hours of notification on a working day, 8 hours on a holiday."""
