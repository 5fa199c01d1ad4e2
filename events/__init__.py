"""Events with registration: information evenings, founding evenings, contact-person courses and
volunteer trainings, with places, a waiting list, reminders and attendance."""
