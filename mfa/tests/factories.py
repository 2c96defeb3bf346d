import factory

from accounts.tests.factories import UserFactory
from mfa.models import AuthenticatorAppDevice, EmailPinDevice, SMSPinDevice


class EmailPinDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailPinDevice

    user = factory.SubFactory(UserFactory)
    name = "Email"
    email = factory.LazyAttribute(lambda device: device.user.email)
    confirmed = True


class SMSPinDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SMSPinDevice

    user = factory.SubFactory(UserFactory)
    name = "SMS"
    number = "8666689250"
    confirmed = True


class AuthenticatorAppDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthenticatorAppDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True
