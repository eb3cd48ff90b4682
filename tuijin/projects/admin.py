"""Dictionaries are data: admins edit levels, categories, natures, programs and stages here."""

from django.contrib import admin

from tuijin.org.adminsite import SYSTEM, DutyAdmin

from .models import Category, Level, Nature, Program, Stage


@admin.register(Level, Nature)
class DictionaryAdmin(DutyAdmin, admin.ModelAdmin):
    duty = SYSTEM
    list_display = ("name", "sort", "is_active")
    list_editable = ("sort", "is_active")
    search_fields = ("name",)


@admin.register(Program)
class ProgramAdmin(DictionaryAdmin):
    list_display = ("name", "description", "sort", "is_active")


@admin.register(Stage)
class StageAdmin(DictionaryAdmin):
    list_display = ("name", "canonical", "sort", "is_active")
    list_filter = ("canonical",)


@admin.register(Category)
class CategoryAdmin(DutyAdmin, admin.ModelAdmin):
    duty = SYSTEM
    list_display = ("name", "parent", "sort", "is_active")
    list_filter = ("parent",)
    list_editable = ("sort", "is_active")
    search_fields = ("name",)
